// leakcheck --thresholds FILE: heap thresholds of the user's own, read
// before the scenarios' and the built-in rows (scenarios/runner/
// thresholds.h). The file (docs/leakcheck.md, "Your own thresholds"):
//
//   {"thresholds": [
//     {"scenario": "stream_drainage", "backend": "*",
//      "bytes_per_iteration": 2048, "per_request": false,
//      "reason": "our server caches 2 KiB per session"}
//   ]}
//
// `scenario` (required) and `backend` (default "*") are names or "*";
// `bytes_per_iteration` (required) a number >= 0; `per_request` (default
// false) makes it an allowance per request, multiplied by the scenario's
// requests per iteration; `reason` (required) is what the report says.
// Rows are matched in order, first match wins. Peak budgets are not
// settable: a server watched from outside has its peak recorded, not
// judged.

#ifndef GOOSE_SCENARIOS_LEAKCHECK_THRESHOLD_FILE_H_
#define GOOSE_SCENARIOS_LEAKCHECK_THRESHOLD_FILE_H_

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/base/json.h"
#include "core/base/status.h"
#include "scenarios/runner/thresholds.h"

namespace goose::leakcheck {

// The rows of one thresholds file, with the strings they view: copies
// share them, so the rows stay valid as long as any copy lives. Empty by
// default (no file).
class ThresholdFile {
 public:
  ThresholdFile() = default;

  std::span<const scenarios::ThresholdRow> rows() const;
  // The file's name as given ("" without a file).
  std::string path() const;

  // What copies share: the strings and the rows viewing them
  // (threshold_file.cc).
  struct Owned;

 private:
  explicit ThresholdFile(std::shared_ptr<const Owned> owned) : owned_(std::move(owned)) {}
  friend Result<ThresholdFile> ParseThresholdFile(const Json&, const std::string&,
                                                  std::span<const std::string>);

  std::shared_ptr<const Owned> owned_;
};

// The rows of `document`, read from `source` (the path, for the report
// and messages), checked against `known_scenarios` and the heap backend
// names (HeapBackendNames). Errors are InvalidArgument naming the file,
// the row and what to write instead: not {"thresholds": [...]}, a row
// that is not an object, an unknown key, a missing or empty scenario or
// reason, an unknown scenario (the known ones listed) or backend, a
// bytes_per_iteration that is not a number or is negative, a per_request
// that is not true or false.
Result<ThresholdFile> ParseThresholdFile(const Json& document, const std::string& source,
                                         std::span<const std::string> known_scenarios);

// The file at `path` read (ReadJsonFile) and parsed. Errors: the file
// cannot be read, is not JSON, or ParseThresholdFile's; each message
// starts with "--thresholds ".
Result<ThresholdFile> LoadThresholdFile(const std::filesystem::path& path,
                                        std::span<const std::string> known_scenarios);

}  // namespace goose::leakcheck

#endif  // GOOSE_SCENARIOS_LEAKCHECK_THRESHOLD_FILE_H_
