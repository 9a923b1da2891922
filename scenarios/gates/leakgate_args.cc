#include "scenarios/gates/leakgate_args.h"

namespace goose::gates {
namespace {

// --out, --html, --junit or --markdown: the path it sets, else nullptr.
std::filesystem::path* OutputOption(const std::string& name, ReportArgs* args) {
  if (name == "--out") return &args->out;
  if (name == "--html") return &args->html;
  if (name == "--junit") return &args->junit;
  if (name == "--markdown") return &args->markdown;
  return nullptr;
}

// PRESET=DIR or PRESET:SHARD=DIR; nullopt when a part is missing.
std::optional<ReportInput> ParseInput(const std::string& arg) {
  const size_t eq = arg.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size()) return std::nullopt;
  ReportInput input;
  const std::string name = arg.substr(0, eq);
  input.dir = arg.substr(eq + 1);
  const size_t colon = name.find(':');
  input.preset = name.substr(0, colon);
  if (colon != std::string::npos) {
    input.shard = name.substr(colon + 1);
    if (input.shard.empty() || input.shard.find(':') != std::string::npos) return std::nullopt;
  }
  if (input.preset.empty()) return std::nullopt;
  return input;
}

}  // namespace

std::optional<ReportArgs> ParseReportArgs(std::span<const std::string> args) {
  ReportArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") return std::nullopt;
    if (arg.rfind("--", 0) == 0) {
      const size_t eq = arg.find('=');
      const std::string name = arg.substr(0, eq);
      std::filesystem::path* target = OutputOption(name, &out);
      if (target == nullptr) return std::nullopt;
      if (eq != std::string::npos) {
        *target = arg.substr(eq + 1);
      } else if (i + 1 < args.size()) {
        *target = args[++i];
      } else {
        return std::nullopt;
      }
      if (target->empty()) return std::nullopt;
      continue;
    }
    std::optional<ReportInput> input = ParseInput(arg);
    if (!input) return std::nullopt;
    out.inputs.push_back(std::move(*input));
  }
  if (out.out.empty() || out.inputs.empty()) return std::nullopt;
  return out;
}

std::string UsageLine() {
  return "usage: leakgate-report --out FILE [--html FILE] [--junit FILE] [--markdown FILE] "
         "PRESET=DIR|PRESET:SHARD=DIR...\n";
}

}  // namespace goose::gates
