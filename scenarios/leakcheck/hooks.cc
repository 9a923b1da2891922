#include "scenarios/leakcheck/hooks.h"

#include "scenarios/leakcheck/heap_diff.h"
#include "scenarios/targets/v8_heap_snapshot.h"

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

V8HeapSnapshots::V8HeapSnapshots(scenarios::McpTarget& target, std::filesystem::path dir,
                                 std::string scenario)
    : target_(target), dir_(std::move(dir)), scenario_(std::move(scenario)) {}

void V8HeapSnapshots::Take(const std::string& tag, Files* into) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  Result<Files> files = target_.WriteHeapSnapshots(dir_, tag + "-" + scenario_);
  if (files.ok()) {
    *into = std::move(*files);
  } else if (error_.empty()) {
    error_ = files.status().message();
  }
}

void V8HeapSnapshots::MeasuredStarting(scenarios::Target&) { Take("v8-before", &before_); }

void V8HeapSnapshots::MeasuredFinished(scenarios::Target&) { Take("v8-after", &after_); }

void V8HeapSnapshots::Report(scenarios::ScenarioResult* result) {
  if (!result->error.empty()) return;  // the run's own error says more
  if (!error_.empty() || before_.empty()) {
    result->AddError("V8 heap snapshot: " + (error_.empty() ? std::string("not taken") : error_));
    return;
  }
  std::string text;
  Json top = Json::array();
  Json files = Json::array();
  for (const auto& [pid, before_file] : before_) {
    const auto after_file = after_.find(pid);
    if (after_file == after_.end()) continue;  // exited during the run
    Result<scenarios::HeapSnapshotSummary> before = scenarios::SummarizeHeapSnapshot(before_file);
    Result<scenarios::HeapSnapshotSummary> after =
        scenarios::SummarizeHeapSnapshot(after_file->second);
    if (!before.ok() || !after.ok()) {
      result->AddError("V8 heap snapshot: " +
                       (before.ok() ? after.status() : before.status()).message());
      return;
    }
    // What the iterations added, and what keeps it: the holders' own bytes
    // rarely grow, their retained bytes do.
    const std::vector<scenarios::ConstructorGrowth> added = scenarios::CompareHeapSnapshots(
        *before, *after, kTopAdded, scenarios::GrowthOrder::kSelfBytes);
    const std::vector<scenarios::ConstructorGrowth> holding = scenarios::CompareHeapSnapshots(
        *before, *after, kTopHolding, scenarios::GrowthOrder::kRetainedBytes);
    text += "pid " + std::to_string(pid) + " (" + before_file.filename().string() + " -> " +
            after_file->second.filename().string() + "), added (by self bytes):\n" +
            scenarios::FormatHeapGrowth(added) + "holding more (by retained bytes):\n" +
            scenarios::FormatHeapGrowth(holding);
    for (const auto& [list, growth] :
         {std::pair{"added", &added}, std::pair{"holding", &holding}}) {
      for (const scenarios::ConstructorGrowth& g : *growth) {
        top.push_back({{"pid", pid},
                       {"list", list},
                       {"constructor", g.name},
                       {"count_before", g.before.count},
                       {"count_after", g.after.count},
                       {"self_bytes_grown", g.self_bytes_delta()},
                       {"retained_bytes_before", g.before.retained_bytes},
                       {"retained_bytes_after", g.after.retained_bytes}});
      }
    }
    files.push_back(before_file.filename().string());
    files.push_back(after_file->second.filename().string());
  }
  if (files.empty()) {
    result->AddError("V8 heap snapshot: no node process lived through the measured iterations");
    return;
  }
  result->findings["v8_heap_growth"] = text;
  result->findings["v8_heap_growth_top"] = top;
  result->findings["v8_heap_snapshots"] = files;
}

}  // namespace goose::leakcheck
