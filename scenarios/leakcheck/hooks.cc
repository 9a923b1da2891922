#include "scenarios/leakcheck/hooks.h"

#include "scenarios/leakcheck/heap_diff.h"

namespace goose::leakcheck {

void ForeignMetrics::Report(scenarios::ScenarioResult* result) {
  if (!before_) return;
  result->findings["target_metrics"] = {
      {"label",
       "the target's own GET /metrics, as it answered (not our ledger: e.g. goose-api's "
       "active_sessions counts session files on disk, not live sessions)"},
      {"before", *before_},
      {"after", target_.ForeignMetrics().value_or(Json(nullptr))}};
}

HeapProfile::HeapProfile(scenarios::Target& target, std::filesystem::path dir, std::string scenario)
    : dir_(std::move(dir)), scenario_(std::move(scenario)), target_(target) {
  std::error_code ec;
  binary_ = std::filesystem::read_symlink("/proc/" + std::to_string(target.pid()) + "/exe", ec);
}

Status HeapProfile::Probe() {
  Result<std::string> heap = target_.DumpHeapProfile();
  return heap.ok() ? Status::Ok() : heap.status();
}

void HeapProfile::Take(scenarios::Target& target, std::string* into) {
  Result<std::string> heap = target.DumpHeapProfile();
  if (heap.ok()) {
    *into = std::move(*heap);
  } else if (error_.empty()) {
    error_ = heap.status().message();
  }
}

void HeapProfile::MeasuredStarting(scenarios::Target& target) { Take(target, &before_); }

void HeapProfile::MeasuredFinished(scenarios::Target& target) { Take(target, &after_); }

void HeapProfile::Report(scenarios::ScenarioResult* result) {
  if (!result->error.empty()) return;  // the run's own error says more
  if (!error_.empty() || before_.empty() || after_.empty()) {
    result->AddError("heap profile: " + (error_.empty() ? std::string("not taken") : error_));
    return;
  }
  Result<HeapDiff> diff = DiffHeapProfiles(dir_, scenario_, binary_, before_, after_);
  if (!diff.ok()) {
    result->AddError("heap profile diff: " + diff.status().message());
    return;
  }
  result->findings["heap_profile_diff"] = diff->top_sites;
  result->findings["heap_profile_text"] = diff->text_file.filename().string();
  if (!diff->svg_file.empty()) {
    result->findings["heap_profile_svg"] = diff->svg_file.filename().string();
  }
}

}  // namespace goose::leakcheck
