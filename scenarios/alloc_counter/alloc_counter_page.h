// AllocCounterPage: leakcheck's side of the allocation counter.
//
// leakcheck creates the page file before it starts the target, puts
// LibraryPath() in the target's LD_PRELOAD and the file's path in
// LEAKCHECK_ALLOC_PAGE (kAllocPageEnv), and reads a Snapshot after each
// iteration: the exact live heap of the target (bytes and blocks it got
// from malloc and has not freed), where PSS only shows pages.
//
// The preloaded library (preload.cc) counts only in the process that claims
// the page first (owner_pid) and in the images that process re-execs
// (exec_generation); children of the target are not counted. It interposes
// the system allocator (glibc): a target with its own allocator (tcmalloc,
// jemalloc, mimalloc) is not counted, nor, for Python, without
// PYTHONMALLOC=malloc (pymalloc arenas would show as 256 KiB blocks).
//
// One page serves one target process for its lifetime: to watch a new
// target, create a new file.

#ifndef GOOSE_SCENARIOS_ALLOC_COUNTER_ALLOC_COUNTER_PAGE_H_
#define GOOSE_SCENARIOS_ALLOC_COUNTER_ALLOC_COUNTER_PAGE_H_

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/base/status.h"
#include "scenarios/alloc_counter/alloc_page.h"

namespace goose::scenarios {

class AllocCounterPage {
 public:
  struct Snapshot {
    pid_t owner_pid = 0;  // 0: no process has claimed the page (yet)
    int64_t live_bytes = 0;
    int64_t peak_live_bytes = 0;
    uint64_t allocations = 0;
    uint64_t frees = 0;
    uint64_t exec_generation = 0;
  };

  // The library's file name.
  static constexpr const char* kLibraryName = "libleakcheck-alloc.so";
  // The folder with the sitecustomize.py put first on a Python target's
  // PYTHONPATH (python/sitecustomize.py: clears CPython's type cache, whose
  // bounded filling an exact heap would otherwise show as growth).
  static constexpr const char* kPythonSiteDirName = "leakcheck-python";

  // Creates `file` (it must not exist: O_EXCL, so the page is known to be
  // zeroed and ours), mode 0600, kAllocPageSize zero bytes with the magic
  // and version written, and maps it shared. Errors: IoError naming the
  // file and the reason; a file created here is removed again on error.
  static Result<AllocCounterPage> Create(const std::filesystem::path& file);
  // Maps a page Create made (here or in an earlier image of this process):
  // a regular file of kAllocPageSize bytes or more with the magic and
  // version. For a process that reads its own counts (exact_heap.h).
  static Result<AllocCounterPage> Open(const std::filesystem::path& file);

  // Unmaps the page; the file stays (it is the caller's to delete).
  ~AllocCounterPage();
  AllocCounterPage(AllocCounterPage&& other) noexcept;
  AllocCounterPage& operator=(AllocCounterPage&& other) noexcept;
  AllocCounterPage(const AllocCounterPage&) = delete;
  AllocCounterPage& operator=(const AllocCounterPage&) = delete;

  // The counters now (each an acquire load). REQUIRES: not moved from.
  Snapshot Read() const;
  // The counters themselves, for the owner process's own reader, which may
  // also reset peak_live_bytes to live_bytes (exact_heap.h). REQUIRES: not
  // moved from.
  AllocCounters& counters() const { return page_->counters; }

  // libleakcheck-alloc.so in the directory of the running executable
  // (/proc/self/exe): the build puts it in bin/ with every program.
  static std::string LibraryPath();
  // kPythonSiteDirName in the same directory.
  static std::string PythonSiteDir();
  // `name` in that directory, where the build puts the files leakcheck
  // hands to a target (this library, the Python and Node.js preloads);
  // `name` alone when /proc/self/exe cannot be read.
  static std::string BesideThisProgram(const char* name);

 private:
  explicit AllocCounterPage(AllocPage* page) : page_(page) {}
  void Unmap();

  AllocPage* page_ = nullptr;
};

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_ALLOC_COUNTER_ALLOC_COUNTER_PAGE_H_
