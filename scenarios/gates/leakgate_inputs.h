// The gate results leakgate-report reads, merged: every <test>.json of
// every input folder (harness/gate_report.h writes them), the shards of a
// preset joined into that preset's results.
//
// The merge rule: a preset's results are the union of its inputs' (its
// shards', or the same preset named twice), ordered by file name as one
// unsharded folder would be. A test found in two inputs of one preset is
// kept once when the two documents are identical, and is an error when
// they differ (each test must run in exactly one shard: `ctest -I
// start,end,stride` splits the list without overlap), so a merged verdict
// is always the verdict of one run of each test.

#ifndef GOOSE_SCENARIOS_GATES_LEAKGATE_INPUTS_H_
#define GOOSE_SCENARIOS_GATES_LEAKGATE_INPUTS_H_

#include <string>
#include <vector>

#include "core/base/json.h"
#include "core/base/status.h"
#include "scenarios/gates/leakgate_args.h"

namespace goose::gates {

struct GateRuns {
  // The result documents, each as written plus "preset" (the input's
  // preset) and, from a shard, "shard" ("2of4"; "1of4, 3of4" for a test
  // identical in two shards), which each of its results carries too.
  Json runs = Json::array();
  // Wall time of each input's run (DIR/.seconds) by its label ("asan",
  // "asan:2of4").
  Json wall = Json::object();
  std::vector<std::string> presets;  // in the order of the inputs
  bool sharded = false;              // any input named a shard
};

// Reads and merges `inputs`. Errors: IoError for an input folder that
// does not exist, IoError or the parser's error for a file that cannot be
// read; InvalidArgument naming the test, the preset,
// both shards and both files when one test's results differ between two
// inputs.
Result<GateRuns> LoadGateRuns(const std::vector<ReportInput>& inputs);

}  // namespace goose::gates

#endif  // GOOSE_SCENARIOS_GATES_LEAKGATE_INPUTS_H_
