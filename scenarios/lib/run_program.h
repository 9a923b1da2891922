// RunProgram: runs a short-lived tool (google-pprof, dot) to completion
// and returns what it printed, without a shell (ChildProcess, kDirect).

#ifndef GOOSE_SCENARIOS_LIB_RUN_PROGRAM_H_
#define GOOSE_SCENARIOS_LIB_RUN_PROGRAM_H_

#include <chrono>
#include <string>
#include <vector>

#include "core/base/status.h"

namespace goose::scenarios {

// Runs `argv` with stdin closed and returns its stdout. IoError naming the
// program, how it ended and its stderr when it exits non-zero, is killed
// or outlives `timeout` (then it is killed); InvalidArgument when it
// cannot be run at all.
Result<std::string> RunProgram(const std::vector<std::string>& argv, std::chrono::seconds timeout);

// True when `command` is found in PATH (as execvp would find it).
bool ProgramExists(const std::string& command);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_LIB_RUN_PROGRAM_H_
