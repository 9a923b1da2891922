// leakcheck's commands: run, profile and list (options.h parses the
// command line). Each returns the process's exit status (kExitClean,
// kExitLeak, kExitUsage) and writes what it has to say to `out` (the
// verdict table, the list, or report.json with --json) and `err`
// (progress, where the report is, and every error, saying what to do).

#ifndef GOOSE_SCENARIOS_LEAKCHECK_LEAKCHECK_H_
#define GOOSE_SCENARIOS_LEAKCHECK_LEAKCHECK_H_

#include <cstdio>

#include "scenarios/leakcheck/options.h"

namespace goose::leakcheck {

// Runs `options.command`. `err_is_terminal` picks the progress display.
int RunLeakcheck(const Options& options, std::FILE* out, std::FILE* err, bool err_is_terminal);

}  // namespace goose::leakcheck

#endif  // GOOSE_SCENARIOS_LEAKCHECK_LEAKCHECK_H_
