#include "core/server/debug_heap.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/base/log.h"

#if defined(GOOSE_HEAP_BACKEND_TCMALLOC)
#include <gperftools/malloc_extension.h>
#endif

namespace goose {
namespace {
constexpr const char* kSampleVariable = "TCMALLOC_SAMPLE_PARAMETER";
}  // namespace

bool DebugHeapAvailable() {
#if defined(GOOSE_HEAP_BACKEND_TCMALLOC)
  return true;
#else
  return false;
#endif
}

void ReexecWithHeapSampling(char** argv) {
#if defined(GOOSE_HEAP_BACKEND_TCMALLOC)
  if (std::getenv(kSampleVariable) != nullptr) return;
  ::setenv(kSampleVariable, std::to_string(kDefaultHeapSamplePeriod).c_str(), 1);
  ::execv("/proc/self/exe", argv);
  GOOSE_LOG(kWarn) << "cannot re-execute with " << kSampleVariable
                   << " set (/debug/heap stays off): " << std::strerror(errno);
  ::unsetenv(kSampleVariable);  // the truth: this process does not sample
#else
  (void)argv;
#endif
}

int64_t HeapSamplePeriod() {
  if (!DebugHeapAvailable()) return 0;
  const char* value = std::getenv(kSampleVariable);
  if (value == nullptr) return 0;
  char* end = nullptr;
  const long long period = std::strtoll(value, &end, 10);
  return end != value && period > 0 ? period : 0;
}

Result<std::string> HeapProfileText() {
#if defined(GOOSE_HEAP_BACKEND_TCMALLOC)
  if (HeapSamplePeriod() <= 0) {
    return Status(StatusCode::kUnavailable,
                  "heap sampling is off: start goose-api with TCMALLOC_SAMPLE_PARAMETER unset "
                  "(it then samples every " +
                      std::to_string(kDefaultHeapSamplePeriod) +
                      " bytes) or set to a positive number of bytes");
  }
  std::string profile;
  MallocExtension::instance()->GetHeapSample(&profile);
  return profile;
#else
  return Status(StatusCode::kUnavailable,
                "this build has no heap profiles (build the heapprof preset: tcmalloc)");
#endif
}

}  // namespace goose
