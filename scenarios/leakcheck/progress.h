// ProgressDisplay: what leakcheck shows on stderr while scenarios run.
//
// On a terminal: one line per scenario, redrawn in place (\r) with a bar,
// the iteration count and the current slope of the heap series; the line
// is finished with the verdict. Not on a terminal (CI logs): plain lines
// when a scenario starts, when measuring starts, every tenth of the
// measured iterations, and at the end, never a \r.

#ifndef GOOSE_SCENARIOS_LEAKCHECK_PROGRESS_H_
#define GOOSE_SCENARIOS_LEAKCHECK_PROGRESS_H_

#include <cstdio>
#include <string>

#include "scenarios/runner/collect.h"
#include "scenarios/runner/scenario_result.h"

namespace goose::leakcheck {

class ProgressDisplay {
 public:
  // Writes to `out` (not owned); `terminal` picks the redrawn bar.
  ProgressDisplay(std::FILE* out, bool terminal) : out_(out), terminal_(terminal) {}

  // A callback for RunOptions::progress; valid while this object lives.
  scenarios::ProgressCallback Callback();

  void ScenarioStarting(const std::string& name, const std::string& target);
  // The final verdict of a result (skipped ones say why).
  void ScenarioFinished(const scenarios::ScenarioResult& result);
  // A line of its own (a skipped scenario, a note), ending any bar first.
  void Note(const std::string& line);

  // The text of the bar line for `p` (no \r), e.g.
  // "stream_drainage  [#########.........]  45/150  heap slope 12.3 B/iter".
  static std::string BarLine(const scenarios::RunProgress& p, int width = 30);

 private:
  void OnProgress(const scenarios::RunProgress& p);
  void EndBar();

  std::FILE* out_;
  bool terminal_;
  bool bar_open_ = false;
  int last_tenth_ = -1;
};

// "12.3 B/iter" for the Theil-Sen slope of `samples` ("-" for fewer than 3).
std::string SlopeText(std::span<const double> samples);

}  // namespace goose::leakcheck

#endif  // GOOSE_SCENARIOS_LEAKCHECK_PROGRESS_H_
