// EnvLookup: how configuration reads the environment.
//
// Every setting is read through an EnvLookup, so tests pass a map instead
// of changing the process environment (which is not thread-safe).

#ifndef GOOSE_CORE_BASE_ENV_H_
#define GOOSE_CORE_BASE_ENV_H_

#include <functional>
#include <string_view>

#include "core/base/status.h"

namespace goose {

// Returns the value of an environment variable, or nullptr when unset.
using EnvLookup = std::function<const char*(const char*)>;

// The process environment (getenv).
EnvLookup ProcessEnv();

// Re-executes this program (/proc/self/exe, the same arguments) once, with
// `option` added to the colon-separated list in the environment variable
// `list` (GLIBC_TUNABLES, ASAN_OPTIONS) and `marker` set, so that the new
// image goes on instead of re-executing again. Returns Ok at once when
// `marker` is set (this is the new image); otherwise returns only when the
// exec failed, saying why. For a main() before any thread starts: it
// changes the process environment.
Status ReexecOnceWithOption(char** argv, const char* list, std::string_view option,
                            const char* marker);

}  // namespace goose

#endif  // GOOSE_CORE_BASE_ENV_H_
