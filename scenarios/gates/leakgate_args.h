// leakgate-report's command line:
//
//   leakgate-report --out FILE [--html FILE] [--junit FILE] [--markdown FILE]
//                   PRESET=DIR | PRESET:SHARD=DIR ...
//
// Each input is a folder of gate results (GOOSE_GATE_REPORT_DIR) for a
// preset, or for one shard of a preset's run ("asan:2of4=DIR"): the shards
// of a preset are merged into that preset's results (leakgate_inputs.h).
// Every option also takes the --opt=VALUE form.

#ifndef GOOSE_SCENARIOS_GATES_LEAKGATE_ARGS_H_
#define GOOSE_SCENARIOS_GATES_LEAKGATE_ARGS_H_

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace goose::gates {

struct ReportInput {
  std::string preset;  // "asan"
  std::string shard;   // "2of4"; "" for a whole run
  std::filesystem::path dir;

  // "asan" or "asan:2of4", as the input was named.
  std::string Label() const { return shard.empty() ? preset : preset + ":" + shard; }
};

struct ReportArgs {
  std::filesystem::path out, html, junit, markdown;  // "" when not asked for
  std::vector<ReportInput> inputs;                   // in order
};

// The arguments after the program name; nullopt for --help, an unknown
// option, an input without a preset, shard or folder, or no --out or no
// input (the caller prints UsageLine()).
std::optional<ReportArgs> ParseReportArgs(std::span<const std::string> args);

std::string UsageLine();

}  // namespace goose::gates

#endif  // GOOSE_SCENARIOS_GATES_LEAKGATE_ARGS_H_
