// What a target's program file says about how its heap can be watched,
// read before it is started: leakcheck preloads an allocation counter (or
// gperftools' heap profiler) only into a program on the system allocator,
// because a sanitizer runtime refuses a library ahead of it, and a program
// with its own malloc library (tcmalloc, jemalloc, mimalloc) would have
// blocks of one allocator freed by the other.

#ifndef GOOSE_SCENARIOS_TARGETS_EXECUTABLE_INFO_H_
#define GOOSE_SCENARIOS_TARGETS_EXECUTABLE_INFO_H_

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace goose::scenarios {

struct ExecutableInfo {
  std::filesystem::path path;  // argv[0] resolved through PATH; empty: not found
  bool script = false;         // starts with #! (its interpreter is what runs)
  bool elf = false;
  bool dynamic = false;       // an ELF with an interpreter (PT_INTERP): LD_PRELOAD applies
  std::string sanitizer;      // "asan", "tsan", "msan" or ""
  std::string own_allocator;  // "tcmalloc", "jemalloc", "mimalloc" (a needed library) or ""
};

// Inspects the program `argv0` names (a path, or a name looked up in PATH).
ExecutableInfo InspectExecutable(const std::string& argv0);

// Why an allocation counter or heap profiler cannot be preloaded into the
// program, in words ("" when it can): not found, statically linked, a
// sanitizer build, or its own allocator. A script is assumed to run a
// dynamically linked interpreter on the system allocator.
std::string PreloadRefusal(const ExecutableInfo& info);

// The first of `needles` found in the file at `path` (read in chunks; a
// needle may straddle two), or "" when none is, or the file is unreadable.
std::string FirstNeedleInFile(const std::filesystem::path& path,
                              const std::vector<std::string_view>& needles);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_TARGETS_EXECUTABLE_INFO_H_
