// OrphanWatch: makes this process a child subreaper, so every process its
// descendants orphan (an extension's grandchild whose parent died, a
// process that setsid()ed away) is re-parented here instead of to init,
// where it can be counted, killed and reaped.
//
// A gate creates one before it starts a server, asks Descendants() after
// the server should have cleaned up, and calls KillAndReapAll() so a
// failing gate leaves nothing running.
//
// Not thread-safe; one per process at a time. The destructor reaps what is
// left and restores the previous subreaper setting.

#ifndef GOOSE_SCENARIOS_PROBE_ORPHAN_WATCH_H_
#define GOOSE_SCENARIOS_PROBE_ORPHAN_WATCH_H_

#include <sys/types.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

namespace goose::probe {

struct ProcessInfo {
  pid_t pid = 0;
  pid_t ppid = 0;
  char state = '?';     // 'Z' for a zombie
  std::string command;  // from /proc/<pid>/cmdline, for messages
};

class OrphanWatch {
 public:
  OrphanWatch();
  ~OrphanWatch();
  OrphanWatch(const OrphanWatch&) = delete;
  OrphanWatch& operator=(const OrphanWatch&) = delete;

  // Every descendant of this process now (zombies included), except the
  // pids in `expected`.
  std::vector<ProcessInfo> Descendants(const std::set<pid_t>& expected = {}) const;

  // Reaps this process's exited children (zombies) not in `keep`, without
  // blocking. Returns how many.
  int ReapZombies(const std::set<pid_t>& keep = {});

  // SIGKILLs every descendant not in `keep`, then reaps; waits at most
  // `timeout` for them to go. Returns how many were killed.
  int KillAndReapAll(const std::set<pid_t>& keep = {},
                     std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // "pid 123 (sleep 600) ppid 1 state S" lines, for failure messages.
  static std::string Describe(const std::vector<ProcessInfo>& processes);

 private:
  int previous_ = 0;
};

}  // namespace goose::probe

#endif  // GOOSE_SCENARIOS_PROBE_ORPHAN_WATCH_H_
