// goose_bench: the regression benchmarks (see docs/benchmarks.md).
//
//   goose_bench [--goose_short] [--goose_failpoints=a,b] [--goose_no_memory]
//               [Google Benchmark flags, e.g. --benchmark_out=r.json
//                --benchmark_out_format=json --benchmark_filter=...]
//
//   --goose_short       the short pass (fewer, shorter benchmarks: the
//                       CTest `bench` test); default: the full suite
//   --goose_failpoints  switches core failpoints on (core/base/failpoint.h), to
//                       show that the gate catches a worse figure
//   --goose_no_memory   no MemoryManager run (it repeats every benchmark
//                       once more to count allocations)

#include <benchmark/benchmark.h>

#include <csignal>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "bench/bench_util.h"
#include "bench/heap_memory_manager.h"
#include "core/base/failpoint.h"
#include "scenarios/probe/heap_gauge.h"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a peer closing a socket is an error value, not a signal
  goose::bench::SuiteMode mode;
  bool memory = true;
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    constexpr std::string_view kFailpoints = "--goose_failpoints=";
    if (arg == "--goose_short") {
      mode.short_pass = true;
    } else if (arg == "--goose_no_memory") {
      memory = false;
    } else if (arg.substr(0, kFailpoints.size()) == kFailpoints) {
      std::string_view names = arg.substr(kFailpoints.size());
      while (!names.empty()) {
        const size_t comma = names.find(',');
        const std::string_view name = names.substr(0, comma);
        goose::Status on = goose::SetFailpoint(name, true);
        if (!on.ok()) {
          std::fprintf(stderr, "goose_bench: %s\n", on.ToString().c_str());
          return 2;
        }
        std::fprintf(stderr, "goose_bench: failpoint %.*s is on\n", static_cast<int>(name.size()),
                     name.data());
        if (comma == std::string_view::npos) break;
        names.remove_prefix(comma + 1);
      }
    } else {
      rest.push_back(argv[i]);
    }
  }
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(rest_argc, rest.data())) return 1;

  goose::bench::RegisterRoundTripBenchmarks(mode);
  goose::bench::RegisterDrainBenchmarks(mode);
  goose::bench::RegisterSessionMemoryBenchmarks(mode);
  goose::bench::RegisterReaperBenchmarks(mode);
  goose::bench::RegisterSessionFileBenchmarks(mode);
  goose::bench::RegisterToolCallBenchmarks(mode);

  benchmark::AddCustomContext("goose_mode", mode.short_pass ? "short" : "full");
  benchmark::AddCustomContext("goose_heap_backend",
                              std::string(goose::probe::HeapGauge::Backend()));
  goose::bench::HeapMemoryManager memory_manager;
  if (memory) benchmark::RegisterMemoryManager(&memory_manager);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::RegisterMemoryManager(nullptr);
  benchmark::Shutdown();
  return 0;
}
