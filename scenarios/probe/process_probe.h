// ProcessProbe: what a process holds, read from outside through /proc, for
// this process or any other (a server under test started as a child).

#ifndef GOOSE_SCENARIOS_PROBE_PROCESS_PROBE_H_
#define GOOSE_SCENARIOS_PROBE_PROCESS_PROBE_H_

#include <sys/types.h>

#include <cstdint>

#include "core/base/process_stats.h"

namespace goose::probe {

struct ProcessSample {
  ProcessStats stats;       // RSS, PSS, fds, threads, direct children, zombies
  int64_t descendants = 0;  // the whole tree below the process
};

class ProcessProbe {
 public:
  // pid 0: this process.
  explicit ProcessProbe(pid_t pid = 0) : pid_(pid) {}
  ProcessSample Sample() const;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
};

}  // namespace goose::probe

#endif  // GOOSE_SCENARIOS_PROBE_PROCESS_PROBE_H_
