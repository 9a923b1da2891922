// Constant-time API key check.

#ifndef GOOSE_CORE_SERVER_API_KEY_H_
#define GOOSE_CORE_SERVER_API_KEY_H_

#include <string_view>

namespace goose {

// True when `given` equals `expected`. The time taken depends on neither
// the contents nor the length of either (both are hashed with SHA-256 and
// the digests compared with CRYPTO_memcmp).
bool ApiKeyMatches(std::string_view given, std::string_view expected);

}  // namespace goose

#endif  // GOOSE_CORE_SERVER_API_KEY_H_
