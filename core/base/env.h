// EnvLookup: how configuration reads the environment.
//
// Every setting is read through an EnvLookup, so tests pass a map instead
// of changing the process environment (which is not thread-safe).

#ifndef GOOSE_CORE_BASE_ENV_H_
#define GOOSE_CORE_BASE_ENV_H_

#include <functional>

namespace goose {

// Returns the value of an environment variable, or nullptr when unset.
using EnvLookup = std::function<const char*(const char*)>;

// The process environment (getenv).
EnvLookup ProcessEnv();

}  // namespace goose

#endif  // GOOSE_CORE_BASE_ENV_H_
