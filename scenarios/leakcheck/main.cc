// leakcheck: runs the leak-gate scenarios against a goose-api compatible
// server from outside and writes report.json and report.html. See
// docs/leakcheck.md and `leakcheck --help`.

#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "scenarios/leakcheck/leakcheck.h"
#include "scenarios/leakcheck/options.h"

int main(int argc, char** argv) {
  using namespace goose::leakcheck;
  const std::vector<std::string> args(argv + 1, argv + argc);
  goose::Result<Options> options = ParseOptions(args);
  if (!options.ok()) {
    std::fprintf(stderr, "leakcheck: %s\nSee leakcheck --help.\n",
                 options.status().message().c_str());
    return kExitUsage;
  }
  return RunLeakcheck(*options, stdout, stderr, ::isatty(STDERR_FILENO) == 1);
}
