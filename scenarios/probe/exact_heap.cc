#include "scenarios/probe/exact_heap.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>

#include "core/base/env.h"
#include "scenarios/alloc_counter/alloc_counter_page.h"
#include "scenarios/alloc_counter/alloc_page.h"

#if defined(GOOSE_HEAP_BACKEND_SANITIZER) || defined(GOOSE_TSAN)
#include <sanitizer/allocator_interface.h>
#define GOOSE_EXACT_HEAP_SANITIZER 1
#elif defined(GOOSE_HEAP_BACKEND_TCMALLOC)
#include <gperftools/malloc_extension.h>
#include <gperftools/malloc_hook.h>
#define GOOSE_EXACT_HEAP_TCMALLOC 1
#else
#define GOOSE_EXACT_HEAP_PAGE 1
#endif

namespace goose::probe {
namespace {

using scenarios::AllocCounterPage;
using scenarios::AllocCounters;

// Where this process's exact counts are: the hooks' counters or the page's;
// null until CountHeapExactly succeeded.
constinit std::atomic<AllocCounters*> g_exact_counters{nullptr};

void RaiseExactPeak(AllocCounters& c, int64_t live) {
  int64_t peak = c.peak_live_bytes.load(std::memory_order_relaxed);
  while (live > peak &&
         !c.peak_live_bytes.compare_exchange_weak(peak, live, std::memory_order_relaxed)) {
  }
}

#if defined(GOOSE_EXACT_HEAP_PAGE)
constexpr const char* kExactHeapMarker = "GOOSE_EXACT_HEAP";

// The page libleakcheck-alloc.so counts this process into, mapped here.
std::optional<AllocCounterPage>& OwnPage() {
  static std::optional<AllocCounterPage> page;
  return page;
}

// A page file: removed when this goes, unless an exec took it over first.
class PageFile {
 public:
  explicit PageFile(std::filesystem::path path) : path_(std::move(path)) {}
  ~PageFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  PageFile(const PageFile&) = delete;
  PageFile& operator=(const PageFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The new image: maps the page the preloaded library claimed, and removes
// the file (the mapping stays). Children inherit LD_PRELOAD but no page,
// so they do not count; one that is a program like this one starts over.
Status AdoptPage(const char* path) {
  const PageFile file(path != nullptr ? path : "");
  ::unsetenv(scenarios::kAllocPageEnv);
  ::unsetenv(kExactHeapMarker);
  if (path == nullptr) return Internal("no allocation page named after the re-execution");
  Result<AllocCounterPage> page = AllocCounterPage::Open(file.path());
  if (!page.ok()) return page.status();
  if (page->Read().owner_pid != ::getpid()) {
    return Internal(AllocCounterPage::LibraryPath() + " did not count this process");
  }
  OwnPage() = std::move(*page);
  g_exact_counters.store(&OwnPage()->counters(), std::memory_order_release);
  return Status::Ok();
}
#else
// What the hooks count into.
constinit AllocCounters g_hooked_heap;

void CountHooked(int64_t delta) {
  const int64_t live = g_hooked_heap.live_bytes.fetch_add(delta, std::memory_order_relaxed) + delta;
  if (delta > 0) RaiseExactPeak(g_hooked_heap, live);
}
#endif

#if defined(GOOSE_EXACT_HEAP_SANITIZER)
void OnSanitizerMalloc(const volatile void* ptr, size_t size) {
  if (ptr != nullptr) CountHooked(static_cast<int64_t>(size));
}
// Called before the block is freed, so it still has its size.
void OnSanitizerFree(const volatile void* ptr) {
  if (ptr != nullptr) CountHooked(-static_cast<int64_t>(__sanitizer_get_allocated_size(ptr)));
}
bool InstallExactHooks() {
  return __sanitizer_install_malloc_and_free_hooks(OnSanitizerMalloc, OnSanitizerFree) != 0;
}
#elif defined(GOOSE_EXACT_HEAP_TCMALLOC)
int64_t TcmallocSize(const void* ptr) {
  return static_cast<int64_t>(MallocExtension::instance()->GetAllocatedSize(ptr));
}
void OnTcmallocNew(const void* ptr, size_t /*asked*/) {
  if (ptr != nullptr) CountHooked(TcmallocSize(ptr));
}
void OnTcmallocDelete(const void* ptr) {
  if (ptr != nullptr) CountHooked(-TcmallocSize(ptr));
}
bool InstallExactHooks() {
  return MallocHook::AddNewHook(&OnTcmallocNew) && MallocHook::AddDeleteHook(&OnTcmallocDelete);
}
#endif

AllocCounters* ExactCounters() { return g_exact_counters.load(std::memory_order_acquire); }

}  // namespace

bool ExactHeap::Available() { return ExactCounters() != nullptr; }

std::string_view ExactHeap::Source() {
  if (!Available()) return "";
#if defined(GOOSE_EXACT_HEAP_SANITIZER)
  return "sanitizer hooks";
#elif defined(GOOSE_EXACT_HEAP_TCMALLOC)
  return "tcmalloc hooks";
#else
  return "alloc page";
#endif
}

int64_t ExactHeap::Live() { return ExactCounters()->live_bytes.load(std::memory_order_acquire); }

int64_t ExactHeap::Peak() {
  return ExactCounters()->peak_live_bytes.load(std::memory_order_acquire);
}

int64_t ExactHeap::Reset() {
  AllocCounters& c = *ExactCounters();
  const int64_t live = c.live_bytes.load(std::memory_order_acquire);
  c.peak_live_bytes.store(live, std::memory_order_release);
  // An allocation that raced the store and saw the old, higher peak.
  RaiseExactPeak(c, c.live_bytes.load(std::memory_order_acquire));
  return live;
}

Status CountHeapExactly(char** argv) {
#if defined(GOOSE_EXACT_HEAP_PAGE)
  if (std::getenv(kExactHeapMarker) != nullptr) {             // NOLINT(concurrency-mt-unsafe)
    return AdoptPage(std::getenv(scenarios::kAllocPageEnv));  // NOLINT(concurrency-mt-unsafe)
  }
  const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
  PageFile file(
      std::filesystem::temp_directory_path() /
      ("goose-exact-heap-" + std::to_string(::getpid()) + "-" + std::to_string(stamp) + ".page"));
  if (Result<AllocCounterPage> made = AllocCounterPage::Create(file.path()); !made.ok()) {
    return made.status();
  }  // unmapped here: the new image maps it again
  ::setenv(scenarios::kAllocPageEnv, file.path().c_str(), 1);
  Status failed =
      ReexecOnceWithOption(argv, "LD_PRELOAD", AllocCounterPage::LibraryPath(), kExactHeapMarker);
  ::unsetenv(scenarios::kAllocPageEnv);
  return failed;
#else
  (void)argv;
  if (ExactCounters() != nullptr) return Status::Ok();  // installed already
  if (!InstallExactHooks()) return Internal("cannot install the allocator's hooks");
  g_exact_counters.store(&g_hooked_heap, std::memory_order_release);
  return Status::Ok();
#endif
}

}  // namespace goose::probe

#undef GOOSE_EXACT_HEAP_SANITIZER
#undef GOOSE_EXACT_HEAP_TCMALLOC
#undef GOOSE_EXACT_HEAP_PAGE
