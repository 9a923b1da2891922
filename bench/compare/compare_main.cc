// bench_compare: the benchmark gate's command line.
//
//   bench_compare --baseline=FILE --results=FILE
//       prints the table; exit 0 when every gated figure is within its
//       tolerance, 1 when one regressed (named on the last line), 2 when a
//       file cannot be read.
//   bench_compare --baseline=FILE --results=FILE --write-baseline=OUT
//                 --command="how the run was made" [--date=...]
//       also writes the baseline refreshed with the run's figures.

#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>

#include "bench/compare/bench_compare.h"
#include "core/base/file_io.h"
#include "core/base/json.h"
#include "core/base/utc_time.h"

int main(int argc, char** argv) {
  std::string baseline_path, results_path, write_path, command, date = goose::UtcNow();
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&](std::string_view flag, std::string* out) {
      if (arg.substr(0, flag.size()) != flag) return false;
      *out = std::string(arg.substr(flag.size()));
      return true;
    };
    if (!value("--baseline=", &baseline_path) && !value("--results=", &results_path) &&
        !value("--write-baseline=", &write_path) && !value("--command=", &command) &&
        !value("--date=", &date)) {
      std::fprintf(stderr, "bench_compare: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  if (baseline_path.empty() || results_path.empty()) {
    std::fprintf(stderr,
                 "usage: bench_compare --baseline=FILE --results=FILE "
                 "[--write-baseline=OUT --command=TEXT [--date=TEXT]]\n");
    return 2;
  }
  goose::Result<goose::Json> baseline_json = goose::ReadJsonFile(baseline_path);
  goose::Result<goose::Json> results_json = goose::ReadJsonFile(results_path);
  for (const auto* r : {&baseline_json, &results_json}) {
    if (!r->ok()) {
      std::fprintf(stderr, "bench_compare: %s\n", r->status().ToString().c_str());
      return 2;
    }
  }
  goose::Result<goose::bench::Baseline> baseline = goose::bench::ParseBaseline(*baseline_json);
  goose::Result<goose::bench::RunFigures> run = goose::bench::ParseRun(*results_json);
  if (!baseline.ok() || !run.ok()) {
    std::fprintf(stderr, "bench_compare: %s\n",
                 (!baseline.ok() ? baseline.status() : run.status()).ToString().c_str());
    return 2;
  }
  const goose::bench::Comparison comparison = goose::bench::Compare(*baseline, *run);
  std::cout << "baseline: " << baseline_path << " (" << baseline->date << ", " << baseline->command
            << ")\n"
            << goose::bench::FormatComparison(comparison);
  if (!write_path.empty()) {
    goose::Result<goose::Json> refreshed =
        goose::bench::RefreshBaseline(*baseline, *run, command, date);
    if (!refreshed.ok()) {
      std::fprintf(stderr, "bench_compare: %s\n", refreshed.status().ToString().c_str());
      return 2;
    }
    if (goose::Status s = goose::WriteFile(write_path, refreshed->dump(2) + "\n"); !s.ok()) {
      std::fprintf(stderr, "bench_compare: %s\n", s.ToString().c_str());
      return 2;
    }
    std::cout << "wrote " << write_path << "\n";
    return 0;
  }
  return comparison.passed() ? 0 : 1;
}
