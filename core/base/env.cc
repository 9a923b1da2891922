#include "core/base/env.h"

#include <cstdlib>

namespace goose {

EnvLookup ProcessEnv() {
  return [](const char* name) { return std::getenv(name); };  // NOLINT(concurrency-mt-unsafe)
}

}  // namespace goose
