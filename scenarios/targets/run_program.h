// RunProgram: runs a short-lived tool (google-pprof, dot) to completion
// and returns what it printed, without a shell (ChildProcess, kDirect).
// DrainPipe: the read loop over a child's stdout that it and the targets
// that watch a server's output share.

#ifndef GOOSE_SCENARIOS_TARGETS_RUN_PROGRAM_H_
#define GOOSE_SCENARIOS_TARGETS_RUN_PROGRAM_H_

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/status.h"
#include "core/extensions/child_process.h"

namespace goose::scenarios {

// Runs `argv` with stdin closed and returns its stdout. IoError naming the
// program, how it ended and its stderr when it exits non-zero, is killed
// or outlives `timeout` (then it is killed); InvalidArgument when it
// cannot be run at all.
Result<std::string> RunProgram(const std::vector<std::string>& argv, std::chrono::seconds timeout);

// How a program run to its end ended, and what it printed on stdout.
struct ProgramRun {
  ExitStatus status;
  bool timed_out = false;  // killed at the timeout
  std::string out;
  std::string err_tail;  // the end of its stderr
};

// Runs `argv` (this process's environment plus `env`) with stdin closed,
// until it ends or `timeout` passes (then it is killed), whatever its exit.
// InvalidArgument when it cannot be run at all.
Result<ProgramRun> RunToEnd(const std::vector<std::string>& argv,
                            const std::map<std::string, std::string>& env,
                            std::chrono::seconds timeout);

// Reads `fd` (the read end of a child's pipe) until end of file, handing
// each chunk read to `chunk`, for as long as `keep_going()` says so: it is
// asked before every wait for input, and a wait lasts at most 100 ms, so a
// stop is seen that soon. True at end of file; false when `keep_going()`
// said stop first or poll(2) or read(2) failed.
bool DrainPipe(int fd, const std::function<bool()>& keep_going,
               const std::function<void(std::string_view)>& chunk);

// True when `command` is found in PATH (as execvp would find it).
bool ProgramExists(const std::string& command);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_TARGETS_RUN_PROGRAM_H_
