// A report document like leakcheck's report.json, for the report's tests:
// one leaking result (heap and live_streams growing) and one clean one.

#ifndef GOOSE_SCENARIOS_REPORT_TESTS_SAMPLE_REPORT_H_
#define GOOSE_SCENARIOS_REPORT_TESTS_SAMPLE_REPORT_H_

#include <string>
#include <vector>

#include "core/base/json.h"

namespace goose::scenarios::testing {

// One series as ScenarioResult::ToJson() writes it.
inline Json SampleSeries(const std::string& name, const std::string& kind, const std::string& unit,
                         const std::vector<double>& samples, double slope, bool leak,
                         double threshold = 0) {
  Json list = Json::array();
  for (double v : samples) list.push_back(v);
  return {{"name", name},
          {"kind", kind},
          {"unit", unit},
          {"slope", slope},
          {"slope_lower", slope * 0.9},
          {"slope_upper", slope * 1.1},
          {"total_growth", samples.empty() ? 0.0 : samples.back() - samples.front()},
          {"threshold", threshold},
          {"baseline", samples.empty() ? 0.0 : samples.front()},
          {"settled", samples.empty() ? 0.0 : samples.back()},
          {"verdict", leak ? "leak" : "clean"},
          {"detail", leak ? "grew" : "flat"},
          {"samples", std::move(list)}};
}

inline Json SampleResult(const std::string& scenario, bool leak, int iterations = 40) {
  std::vector<double> heap, rss, fds, threads, streams;
  for (int i = 0; i < iterations; ++i) {
    const double jitter = (i * 7919 % 13) - 6;  // deterministic noise
    heap.push_back(3.0e6 + (leak ? 4096.0 * i : 0.0) + jitter * 64);
    rss.push_back(24.0e6 + 8192.0 * (i / 10) + jitter * 512);
    fds.push_back(14);
    threads.push_back(19 + (i % 3 == 0 ? 1 : 0));
    streams.push_back(leak ? i : 0);
  }
  Json series = Json::array({
      SampleSeries("heap_bytes", "heap", "B", heap, leak ? 4096 : 0, leak, 4),
      SampleSeries("rss_bytes", "info", "B", rss, 819, false),
      SampleSeries("live_streams", "counted", "", streams, leak ? 1 : 0, leak),
      SampleSeries("open_fds", "counted", "", fds, 0, false),
      SampleSeries("threads", "counted", "", threads, 0, false),
  });
  Json leaking = leak ? Json::array({"heap_bytes", "live_streams"}) : Json::array();
  return {
      {"scenario", scenario},
      {"description", "start, reply, end; multi-message replies"},
      {"preset", "dev"},
      {"heap_backend", "glibc"},
      {"warmup", 5},
      {"iterations", iterations},
      {"requests", iterations * 3},
      {"seconds", 2.5},
      {"verdict", leak ? "leak" : "clean"},
      {"leaking_series", leaking},
      {"error", ""},
      {"lsan_leaks", 0},
      {"slope_confidence", 0.99},
      {"heap_threshold_reason", "half of one 8-byte leak per iteration"},
      {"heap_profile_diff",
       leak ? "Total: 163840 B\n  163840 100.0% 100.0%   163840 100.0% goose::InjectRequestFaults\n"
            : ""},
      {"series", std::move(series)}};
}

inline Json SampleReport() {
  return {{"title", "leakcheck report"},
          {"created", "2026-11-29T08:40:00Z"},
          {"verdict", "leak"},
          {"environment", {{"preset", "dev"}, {"cores", 2}, {"machine", "x86_64"}}},
          {"target", {{"kind", "builtin"}}},
          {"results", Json::array({SampleResult("stream_drainage", true),
                                   SampleResult("timeout_reaping", false)})}};
}

// `n` hostile cases' peaks as leakgate-report lists them, with the long
// names and answers of the real ones (an answer is up to 160 characters
// of the server's JSON body, with few places to break a line).
inline Json SamplePeaks(int n) {
  const std::vector<std::string> limits = {"GOOSE_API_MAX_HEADER_BYTES",
                                           "no chunked request bodies", "RFC 9112 framing",
                                           "key checked before any body is read"};
  Json peaks = Json::array();
  for (int i = 0; i < n; ++i) {
    peaks.push_back(
        {{"scenario", "HostileGates/MisframedRequestIsRefused.TransferEncodingWithContentLength/" +
                          std::to_string(i)},
         {"preset", i % 2 == 0 ? "asan" : "heapprof"},
         {"limit", limits[static_cast<size_t>(i) % limits.size()]},
         {"answer",
          "431 {\"message\":\"request_header_fields_too_large:more_than_65536_bytes_in_the_"
          "header_section(GOOSE_API_MAX_HEADER_BYTES)\",\"status\":\"error\",\"limit\":65536}"},
         {"heap_rise", 180000.0 + 1000 * i},
         {"heap_budget", 32 << 20},
         {"rss_rise", 2.5e6},
         {"rss_budget", 128 << 20},
         {"verdict", "within"},
         {"seconds", 0.25}});
  }
  return peaks;
}

// A leak-gate report as leakgate-report writes it: gate results (one
// leaking) and the 56 hostile cases.
inline Json SampleGateReport() {
  Json report = SampleReport();
  report["title"] = "leak gates";
  report["peaks"] = SamplePeaks(56);
  return report;
}

}  // namespace goose::scenarios::testing

#endif  // GOOSE_SCENARIOS_REPORT_TESTS_SAMPLE_REPORT_H_
