// Session ids: what may name a session file.
//
// An id becomes a file name (`<id>.jsonl`) in the sessions directory, so it
// is checked before it touches the filesystem. Allowed: 1 to 128 characters
// of [A-Za-z0-9._-], not starting with '.', with no "..". That admits the
// API's UUIDs and goose CLI names such as "20250305_113223" or "my.work",
// and refuses anything that could leave the directory or hide a file.

#ifndef GOOSE_CORE_MODEL_SESSION_ID_H_
#define GOOSE_CORE_MODEL_SESSION_ID_H_

#include <string>
#include <string_view>

#include "core/base/status.h"

namespace goose {

inline constexpr size_t kMaxSessionIdLength = 128;

// OK, or InvalidArgument saying what is wrong with `id` (never echoing
// control characters back).
Status ValidateSessionId(std::string_view id);

// A new random version-4 UUID, lower case, e.g. "3b241101-e2bb-4255-8caf-4136c566a962".
std::string NewSessionId();

}  // namespace goose

#endif  // GOOSE_CORE_MODEL_SESSION_ID_H_
