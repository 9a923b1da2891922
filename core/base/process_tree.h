// Process trees read from /proc, and signals that cannot hit a recycled pid.
//
// A pid alone does not name a process for long: once the process is reaped,
// the kernel may hand the number to a new one. `ProcessRef` adds the start
// time (field 22 of /proc/<pid>/stat), and `SignalProcesses` opens a pidfd,
// re-reads the start time through /proc and only then signals through the
// pidfd, so a signal meant for a dead extension's grandchild never reaches
// an unrelated process that got its number.
//
// `Descendants` scans /proc once and walks the parent links, so it also
// finds descendants that left the process group or the session (setsid).
// It is a snapshot: a process forked during the scan may be missed, which
// is why the callers loop (the shim) or signal the group as well
// (ChildProcess).
//
// Used by ChildProcess, by the goose-ext-shim supervisor and by tests; no
// dependency beyond libc, so the shim can link it alone.

#ifndef GOOSE_CORE_BASE_PROCESS_TREE_H_
#define GOOSE_CORE_BASE_PROCESS_TREE_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace goose {

// One line of /proc/<pid>/stat, the fields this code needs.
struct ProcStat {
  pid_t pid = 0;
  pid_t ppid = 0;
  pid_t pgid = 0;
  pid_t sid = 0;
  char state = '?';         // 'R', 'S', 'Z' (zombie), ...
  uint64_t start_time = 0;  // clock ticks after boot
};

// A process named so that pid reuse cannot confuse it with another.
struct ProcessRef {
  pid_t pid = 0;
  uint64_t start_time = 0;
  bool operator==(const ProcessRef&) const = default;
};

// Parses the text of a /proc/<pid>/stat file (the command name may hold
// spaces and parentheses). nullopt when malformed.
std::optional<ProcStat> ParseProcStat(const char* text, size_t size);

// Reads /proc/<pid>/stat. nullopt when the process does not exist.
std::optional<ProcStat> ReadProcStat(pid_t pid);

// Every process in /proc now (thread-group leaders only).
std::vector<ProcStat> ListProcesses();

// Every descendant of `root` (root excluded), parents before children,
// zombies included. Empty when root has no children or does not exist.
std::vector<ProcStat> Descendants(pid_t root);
std::vector<ProcessRef> DescendantRefs(pid_t root);

// Sends `sig` to each process in `procs` that is still the process named
// (same pid and start time). Returns how many were signalled.
int SignalProcesses(const std::vector<ProcessRef>& procs, int sig);

// True while `ref` names a live, not yet exited process (a zombie counts as
// exited).
bool IsRunning(const ProcessRef& ref);

}  // namespace goose

#endif  // GOOSE_CORE_BASE_PROCESS_TREE_H_
