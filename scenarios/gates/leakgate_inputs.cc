#include "scenarios/gates/leakgate_inputs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/base/file_io.h"

namespace goose::gates {
namespace {

namespace fs = std::filesystem;

// One test's result as found, before the merge tags it.
struct Found {
  Json document;
  std::vector<std::string> shards;  // the inputs it was found in
  fs::path file;                    // where it was first found
};

// A preset's results by file name (the order of one unsharded folder).
using PresetRuns = std::map<std::string, Found>;

std::vector<fs::path> JsonFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ShardName(const ReportInput& input) {
  return input.shard.empty() ? "(unsharded)" : input.shard;
}

Status Merge(const ReportInput& input, const fs::path& file, Json document, PresetRuns* runs) {
  const std::string key = file.filename().string();
  auto [it, inserted] = runs->try_emplace(key);
  Found& found = it->second;
  if (inserted) {
    found.document = std::move(document);
    found.file = file;
  } else if (found.document != document) {
    const std::string test = document.is_object() ? document.value("test", key) : key;
    return InvalidArgument(test + " of preset " + input.preset + " is in shard " +
                           found.shards.front() + " (" + found.file.string() + ") and in shard " +
                           ShardName(input) + " (" + file.string() +
                           ") with different results; each test must run in one shard only "
                           "(ctest -I start,end,stride splits the list without overlap): rerun "
                           "one of the shards or give only one of the folders");
  }
  found.shards.push_back(ShardName(input));
  return Status::Ok();
}

// The merged document: as written, plus "preset" and "shard".
Json Tagged(const std::string& preset, const Found& found, bool sharded) {
  Json run = found.document.is_object() ? found.document : Json::object();
  run["preset"] = preset;
  if (!sharded) return run;
  std::string shard;
  for (const std::string& s : found.shards) shard += (shard.empty() ? "" : ", ") + s;
  run["shard"] = shard;
  if (run.contains("results") && run["results"].is_array()) {
    for (Json& r : run["results"]) {
      if (r.is_object()) r["shard"] = shard;
    }
  }
  return run;
}

}  // namespace

Result<GateRuns> LoadGateRuns(const std::vector<ReportInput>& inputs) {
  GateRuns out;
  std::map<std::string, PresetRuns> by_preset;
  for (const ReportInput& input : inputs) {
    if (!input.shard.empty()) out.sharded = true;
    if (std::error_code ec; !fs::is_directory(input.dir, ec)) {
      return IoError("the results folder of " + input.Label() + ", " + input.dir.string() +
                     ", does not exist (did that run or shard start?)");
    }
    if (std::find(out.presets.begin(), out.presets.end(), input.preset) == out.presets.end()) {
      out.presets.push_back(input.preset);
    }
    for (const fs::path& file : JsonFiles(input.dir)) {
      Result<Json> parsed = ReadJsonFile(file);
      if (!parsed.ok()) return parsed.status();
      if (Status s = Merge(input, file, std::move(*parsed), &by_preset[input.preset]); !s.ok()) {
        return s;
      }
    }
    std::ifstream seconds(input.dir / ".seconds");
    double s = 0;
    if (seconds >> s) out.wall[input.Label()] = s;
  }
  for (const std::string& preset : out.presets) {
    for (const auto& [name, found] : by_preset[preset]) {
      out.runs.push_back(Tagged(preset, found, out.sharded));
    }
  }
  return out;
}

}  // namespace goose::gates
