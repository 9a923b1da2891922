// libleakcheck-alloc.so: counts the live heap of a process it is preloaded
// into (LD_PRELOAD), into the page leakcheck names in LEAKCHECK_ALLOC_PAGE
// (alloc_page.h explains the page and who counts).
//
// It defines the malloc family and forwards each call to glibc's own entry
// points (__libc_malloc and friends, exported by glibc), so there is no
// dlsym and nothing to bootstrap: the first malloc of the process, even one
// ld.so makes before any constructor ran, already works. C++ operator
// new/delete in libstdc++ call malloc/free, so they are counted without
// being redefined. malloc_usable_size is not redefined: it is what counts.
//
// Hot path: one load of the active counters and, when counting, relaxed
// read-modify-writes on them (a CAS loop on the peak only when live bytes
// pass it), or, while the process has a single thread, relaxed loads and
// stores (see Add). No lock, no syscall, no allocation, no thread-local
// storage. Nothing it calls can re-enter it (__libc_* and
// malloc_usable_size do not allocate), so it needs no reentrancy guard.
//
// Where the counts go:
//   - from the first malloc until the constructor: process-local counters
//     (libstdc++ and others allocate in their own constructors, which may
//     run before this library's);
//   - after the constructor: the page when this process claimed it (the
//     local counts are added to it), else nowhere (plain forwarding);
//   - in a child made by fork(): nowhere (pthread_atfork), as the child is
//     not the owner although it shares the mapping.
//
// Built plain in every preset: no sanitizer, no tcmalloc, no libstdc++
// (only <atomic>, which is header-only here), -fno-exceptions -fno-rtti,
// hidden visibility except the functions below (scenarios/alloc_counter/
// CMakeLists.txt).

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/single_threaded.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "scenarios/alloc_counter/alloc_page.h"

// glibc's allocator under its own names (glibc 2.36 exports all of them).
extern "C" {
void* __libc_malloc(size_t size);
void __libc_free(void* ptr);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* ptr, size_t size);
void* __libc_memalign(size_t alignment, size_t size);
void* __libc_valloc(size_t size);
void* __libc_pvalloc(size_t size);
}

#define LEAKCHECK_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

using goose::scenarios::AllocCounters;
using goose::scenarios::AllocPage;

// Counts made before the constructor decided where counting goes.
constinit AllocCounters g_local;
// Where counts go now; null: nowhere.
constinit std::atomic<AllocCounters*> g_active{&g_local};

inline AllocCounters* Active() { return g_active.load(std::memory_order_acquire); }

inline int64_t UsableSize(void* ptr) { return static_cast<int64_t>(malloc_usable_size(ptr)); }

// While the process has one thread (glibc's __libc_single_threaded, which
// glibc's own malloc trusts to skip its arena locks), this thread is the
// only writer: a relaxed load and store, without the bus lock of a
// read-modify-write, is the same update for much less (churn of
// malloc(64)/free: 32 ns a pair counted with read-modify-writes, 12 ns
// this way, 6-9 ns uncounted). The flag
// turns false in pthread_create before the second thread runs, and never
// back (in this process), so no update straddles the change.
template <typename T>
inline T Add(std::atomic<T>& counter, T delta) {
  if (__libc_single_threaded) {
    const T value = counter.load(std::memory_order_relaxed) + delta;
    counter.store(value, std::memory_order_relaxed);
    return value;
  }
  return counter.fetch_add(delta, std::memory_order_relaxed) + delta;
}

inline void RaisePeak(AllocCounters* c, int64_t live) {
  int64_t peak = c->peak_live_bytes.load(std::memory_order_relaxed);
  if (live <= peak) return;
  if (__libc_single_threaded) return c->peak_live_bytes.store(live, std::memory_order_relaxed);
  while (live > peak &&
         !c->peak_live_bytes.compare_exchange_weak(peak, live, std::memory_order_relaxed)) {
  }
}

inline void AddLive(AllocCounters* c, int64_t delta) {
  const int64_t live = Add(c->live_bytes, delta);
  if (delta > 0) RaisePeak(c, live);
}

inline void* CountAllocation(void* ptr) {
  if (ptr == nullptr) return ptr;
  AllocCounters* c = Active();
  if (c == nullptr) return ptr;
  Add<uint64_t>(c->allocations, 1);
  AddLive(c, UsableSize(ptr));
  return ptr;
}

// Before the block is given back: its size cannot be asked afterwards.
inline void CountFree(void* ptr) {
  AllocCounters* c = Active();
  if (c == nullptr) return;
  Add<uint64_t>(c->frees, 1);
  AddLive(c, -UsableSize(ptr));
}

void StopCounting() { g_active.store(nullptr, std::memory_order_release); }

// Adds the counts made before the page was mapped to the page.
void MoveLocalCountsTo(AllocCounters* page) {
  page->allocations.fetch_add(g_local.allocations.exchange(0, std::memory_order_relaxed),
                              std::memory_order_relaxed);
  page->frees.fetch_add(g_local.frees.exchange(0, std::memory_order_relaxed),
                        std::memory_order_relaxed);
  AddLive(page, g_local.live_bytes.exchange(0, std::memory_order_relaxed));
}

// Only what allocates nothing: getenv, open, fstat, mmap, getpid.
__attribute__((constructor(101))) void LeakcheckAllocInit() {
  const char* path = ::getenv(goose::scenarios::kAllocPageEnv);
  if (path == nullptr || *path == '\0') return StopCounting();
  const int fd = ::open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) return StopCounting();
  struct stat st {};
  void* mapping = MAP_FAILED;
  // A shorter file would SIGBUS on the first count past its end.
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
      st.st_size >= static_cast<off_t>(goose::scenarios::kAllocPageSize)) {
    mapping = ::mmap(nullptr, goose::scenarios::kAllocPageSize, PROT_READ | PROT_WRITE, MAP_SHARED,
                     fd, 0);
  }
  ::close(fd);
  if (mapping == MAP_FAILED) return StopCounting();
  auto* page = static_cast<AllocPage*>(mapping);
  if (page->magic.load(std::memory_order_acquire) != goose::scenarios::kAllocPageMagic ||
      page->version.load(std::memory_order_acquire) != goose::scenarios::kAllocPageVersion) {
    ::munmap(mapping, goose::scenarios::kAllocPageSize);
    return StopCounting();
  }

  const int64_t self = ::getpid();
  int64_t owner = 0;
  if (!page->owner_pid.compare_exchange_strong(owner, self, std::memory_order_acq_rel)) {
    if (owner != self) {
      // Another process counts here: this one is its child (or a stranger
      // given the same page), which it does not count.
      ::munmap(mapping, goose::scenarios::kAllocPageSize);
      return StopCounting();
    }
    // The owner exec'd a new image: the old image's heap is gone with it.
    AllocCounters& c = page->counters;
    c.live_bytes.store(0, std::memory_order_relaxed);
    c.peak_live_bytes.store(0, std::memory_order_relaxed);
    c.allocations.store(0, std::memory_order_relaxed);
    c.frees.store(0, std::memory_order_relaxed);
    page->exec_generation.fetch_add(1, std::memory_order_release);
  }
  // Switch first, then move what was counted locally. Constructors run
  // before main, with one thread, so no count races the move (a thread some
  // earlier constructor started could lose one made during it).
  g_active.store(&page->counters, std::memory_order_release);
  MoveLocalCountsTo(&page->counters);
  // The child of a fork shares the mapping but is not the owner. (Only a
  // counting process registers; registering may allocate, which is fine.)
  ::pthread_atfork(nullptr, nullptr, StopCounting);
}

}  // namespace

LEAKCHECK_EXPORT void* malloc(size_t size) noexcept { return CountAllocation(__libc_malloc(size)); }

LEAKCHECK_EXPORT void free(void* ptr) noexcept {
  if (ptr != nullptr) CountFree(ptr);
  __libc_free(ptr);
}

LEAKCHECK_EXPORT void* calloc(size_t count, size_t size) noexcept {
  return CountAllocation(__libc_calloc(count, size));
}

// One live block replaced by another: live bytes change by the difference,
// the block counts do not. realloc(NULL, n) is an allocation; realloc(p, 0)
// frees p in glibc (and returns NULL): a free.
LEAKCHECK_EXPORT void* realloc(void* ptr, size_t size) noexcept {
  if (ptr == nullptr) return CountAllocation(__libc_realloc(nullptr, size));
  AllocCounters* c = Active();
  if (c == nullptr) return __libc_realloc(ptr, size);
  const int64_t old_size = UsableSize(ptr);
  void* moved = __libc_realloc(ptr, size);
  if (moved != nullptr) {
    AddLive(c, UsableSize(moved) - old_size);
  } else if (size == 0) {
    Add<uint64_t>(c->frees, 1);
    AddLive(c, -old_size);
  }  // else it failed and ptr is unchanged
  return moved;
}

LEAKCHECK_EXPORT void* reallocarray(void* ptr, size_t count, size_t size) noexcept {
  size_t total = 0;
  if (__builtin_mul_overflow(count, size, &total)) {
    errno = ENOMEM;
    return nullptr;
  }
  return realloc(ptr, total);
}

LEAKCHECK_EXPORT void* memalign(size_t alignment, size_t size) noexcept {
  return CountAllocation(__libc_memalign(alignment, size));
}

// glibc 2.36 makes aligned_alloc an alias of memalign.
LEAKCHECK_EXPORT void* aligned_alloc(size_t alignment, size_t size) noexcept {
  return CountAllocation(__libc_memalign(alignment, size));
}

// glibc's checks, then memalign.
LEAKCHECK_EXPORT int posix_memalign(void** result, size_t alignment, size_t size) noexcept {
  if (alignment == 0 || alignment % sizeof(void*) != 0 ||
      ((alignment / sizeof(void*)) & (alignment / sizeof(void*) - 1)) != 0) {
    return EINVAL;
  }
  void* ptr = CountAllocation(__libc_memalign(alignment, size));
  if (ptr == nullptr) return ENOMEM;
  *result = ptr;
  return 0;
}

LEAKCHECK_EXPORT void* valloc(size_t size) noexcept { return CountAllocation(__libc_valloc(size)); }

LEAKCHECK_EXPORT void* pvalloc(size_t size) noexcept {
  return CountAllocation(__libc_pvalloc(size));
}
