// bench_compare: the benchmark gate's command line.
//
//   bench_compare --baseline=FILE --results=FILE
//       prints the table; exit 0 when every gated figure is within its
//       tolerance, 1 when one regressed (named on the last line), 2 when a
//       file cannot be read.
//   bench_compare --baseline=FILE --results=FILE --write-baseline=OUT
//                 --command="how the run was made" [--date=...]
//       also writes the baseline refreshed with the run's figures.

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include "bench/compare/bench_compare.h"

namespace {

goose::Result<goose::Json> ReadJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) return goose::NotFound("cannot open " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  goose::Json json = goose::Json::parse(buffer.str(), nullptr, false);
  if (json.is_discarded()) return goose::InvalidArgument(path + " is not valid JSON");
  return json;
}

std::string UtcNow() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  std::string baseline_path, results_path, write_path, command, date = UtcNow();
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
  goose::Result<goose::Json> baseline_json = ReadJson(baseline_path);
  goose::Result<goose::Json> results_json = ReadJson(results_path);
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
    std::ofstream out(write_path);
    out << refreshed->dump(2) << "\n";
    if (!out) {
      std::fprintf(stderr, "bench_compare: cannot write %s\n", write_path.c_str());
      return 2;
    }
    std::cout << "wrote " << write_path << "\n";
    return 0;
  }
  return comparison.passed() ? 0 : 1;
}
