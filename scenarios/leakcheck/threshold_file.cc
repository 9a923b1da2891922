#include "scenarios/leakcheck/threshold_file.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/base/strings.h"

namespace goose::leakcheck {

// The strings first, complete before a row views them; never changed after.
struct ThresholdFile::Owned {
  struct Strings {
    std::string scenario, backend, reason;
  };
  std::string path;
  std::vector<Strings> strings;
  std::vector<scenarios::ThresholdRow> rows;
};

namespace {

using Strings = ThresholdFile::Owned::Strings;

constexpr std::array<std::string_view, 5> kKeys = {"scenario", "backend", "bytes_per_iteration",
                                                   "per_request", "reason"};

bool KnownKey(const std::string& key) {
  return std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end();
}

// Why `key` is not taken, and what to write instead.
std::string UnknownKey(const std::string& where, const std::string& key) {
  std::string text = where + ": unknown key \"" + key + "\"; a row's keys are " + Join(kKeys, ", ");
  if (key.rfind("peak", 0) == 0) {
    text +=
        " (peaks are not settable: a server watched from outside has its peak recorded, not "
        "judged)";
  }
  return text;
}

// A name or "*": the scenario or backend of a row.
Status CheckName(const std::string& where, const char* what, const std::string& value,
                 const std::vector<std::string>& known) {
  if (value == "*" || std::find(known.begin(), known.end(), value) != known.end()) {
    return Status::Ok();
  }
  return InvalidArgument(where + ": unknown " + what + " \"" + value + "\"; the " + what +
                         "s are " + Join(known, ", ") + ", or \"*\" for every one");
}

// A string member: `fallback` when absent and `fallback` is given.
Status ReadString(const Json& row, const std::string& where, const char* key,
                  const std::string* fallback, std::string* out) {
  const auto it = row.find(key);
  if (it == row.end()) {
    if (fallback != nullptr) {
      *out = *fallback;
      return Status::Ok();
    }
    return InvalidArgument(where + ": \"" + key + "\" is missing");
  }
  if (!it->is_string() || Trim(it->get<std::string>()).empty()) {
    return InvalidArgument(where + ": \"" + key + "\" must be a non-empty string");
  }
  *out = it->get<std::string>();
  return Status::Ok();
}

// bytes_per_iteration and per_request.
Status ReadAllowance(const Json& row, const std::string& where, scenarios::HeapThreshold* out) {
  const auto bytes = row.find("bytes_per_iteration");
  if (bytes == row.end()) return InvalidArgument(where + ": \"bytes_per_iteration\" is missing");
  if (!bytes->is_number()) {
    return InvalidArgument(where + ": \"bytes_per_iteration\" must be a number of bytes, not " +
                           JsonDump(*bytes));
  }
  out->bytes_per_iteration = bytes->get<double>();
  if (!std::isfinite(out->bytes_per_iteration) || out->bytes_per_iteration < 0) {
    return InvalidArgument(where + ": \"bytes_per_iteration\" must be >= 0, not " +
                           JsonDump(*bytes));
  }
  if (const auto per = row.find("per_request"); per != row.end()) {
    if (!per->is_boolean()) {
      return InvalidArgument(where + ": \"per_request\" must be true or false, not " +
                             JsonDump(*per));
    }
    out->per_request = per->get<bool>();
  }
  return Status::Ok();
}

// One row of the file: its strings and its threshold (whose views are
// set once every string has its place).
Status ReadRow(const Json& row, const std::string& where, const std::vector<std::string>& known,
               Strings* strings, scenarios::HeapThreshold* threshold) {
  if (!row.is_object()) {
    return InvalidArgument(where + " must be an object with the keys " + Join(kKeys, ", "));
  }
  for (const auto& item : row.items()) {
    const std::string& key = item.key();
    if (!KnownKey(key)) return InvalidArgument(UnknownKey(where, key));
  }
  static const std::string kAny = "*";
  const std::span<const std::string_view> backend_names = scenarios::HeapBackendNames();
  const std::vector<std::string> backends(backend_names.begin(), backend_names.end());
  if (Status s = ReadString(row, where, "scenario", nullptr, &strings->scenario); !s.ok()) return s;
  if (Status s = CheckName(where, "scenario", strings->scenario, known); !s.ok()) return s;
  if (Status s = ReadString(row, where, "backend", &kAny, &strings->backend); !s.ok()) return s;
  if (Status s = CheckName(where, "backend", strings->backend, backends); !s.ok()) return s;
  if (Status s = ReadAllowance(row, where, threshold); !s.ok()) return s;
  return ReadString(row, where, "reason", nullptr, &strings->reason);
}

}  // namespace

std::span<const scenarios::ThresholdRow> ThresholdFile::rows() const {
  if (owned_ == nullptr) return {};
  return owned_->rows;
}

std::string ThresholdFile::path() const { return owned_ == nullptr ? "" : owned_->path; }

Result<ThresholdFile> ParseThresholdFile(const Json& document, const std::string& source,
                                         std::span<const std::string> known_scenarios) {
  const std::string file = "--thresholds " + source;
  const bool shaped = document.is_object() && document.size() == 1 &&
                      document.contains("thresholds") && document["thresholds"].is_array();
  if (!shaped) {
    return InvalidArgument(file +
                           ": a thresholds file is {\"thresholds\": [{\"scenario\", \"backend\", "
                           "\"bytes_per_iteration\", \"per_request\", \"reason\"}, ...]} and "
                           "nothing else (docs/leakcheck.md, \"Your own thresholds\")");
  }
  const std::vector<std::string> known(known_scenarios.begin(), known_scenarios.end());
  auto owned = std::make_shared<ThresholdFile::Owned>();
  owned->path = source;
  std::vector<scenarios::HeapThreshold> thresholds;
  const Json& rows = document["thresholds"];
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string where = file + ": thresholds[" + std::to_string(i) + "]";
    Strings strings;
    scenarios::HeapThreshold threshold;
    if (Status s = ReadRow(rows[i], where, known, &strings, &threshold); !s.ok()) return s;
    owned->strings.push_back(std::move(strings));
    thresholds.push_back(threshold);
  }
  // Every string has its place now: the rows can view them.
  for (size_t i = 0; i < thresholds.size(); ++i) {
    const Strings& s = owned->strings[i];
    thresholds[i].reason = s.reason;
    thresholds[i].file = owned->path;
    owned->rows.push_back({s.scenario, s.backend, thresholds[i]});
  }
  return ThresholdFile(std::move(owned));
}

Result<ThresholdFile> LoadThresholdFile(const std::filesystem::path& path,
                                        std::span<const std::string> known_scenarios) {
  Result<Json> document = ReadJsonFile(path);
  if (!document.ok()) return InvalidArgument("--thresholds: " + document.status().message());
  return ParseThresholdFile(*document, path.string(), known_scenarios);
}

}  // namespace goose::leakcheck
