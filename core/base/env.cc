#include "core/base/env.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace goose {

EnvLookup ProcessEnv() {
  return [](const char* name) { return std::getenv(name); };  // NOLINT(concurrency-mt-unsafe)
}

Status ReexecOnceWithOption(char** argv, const char* list, std::string_view option,
                            const char* marker) {
  if (std::getenv(marker) != nullptr) return Status::Ok();  // NOLINT(concurrency-mt-unsafe)
  std::string value(option);
  if (const char* old = std::getenv(list); old != nullptr && *old != '\0') {  // NOLINT
    value = std::string(old) + ":" + value;
  }
  ::setenv(list, value.c_str(), 1);
  ::setenv(marker, "1", 1);
  ::execv("/proc/self/exe", argv);
  return Internal("cannot re-execute /proc/self/exe: " + std::string(std::strerror(errno)));
}

}  // namespace goose
