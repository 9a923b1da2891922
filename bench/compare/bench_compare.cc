#include "bench/compare/bench_compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/base/strings.h"

namespace goose::bench {
namespace {

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string Number(double v) {
  if (std::fabs(v) < 1e6 && (std::fabs(v) >= 1e-3 || v == 0)) return FormatFixed(v, 3);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.4g", v);
  return buf;
}

std::string Pad(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

}  // namespace

double GateFigure::Limit() const {
  const double slack = relative * std::fabs(baseline) + absolute;
  return lower_is_better ? baseline + slack : baseline - slack;
}

Result<Baseline> ParseBaseline(const Json& json) {
  if (!json.is_object() || !json.contains("figures") || !json["figures"].is_array()) {
    return InvalidArgument("baseline: expected an object with a \"figures\" array");
  }
  Baseline out;
  out.document = json;
  out.command = json.value("command", "");
  out.date = json.value("date", "");
  size_t index = 0;
  for (const Json& f : json["figures"]) {
    const std::string where = "baseline: figures[" + std::to_string(index++) + "]";
    if (!f.is_object()) return InvalidArgument(where + " is not an object");
    GateFigure g;
    for (const char* field : {"name", "benchmark", "counter"}) {
      if (!f.contains(field) || !f[field].is_string()) {
        return InvalidArgument(where + "." + field + " must be a string");
      }
    }
    g.name = f["name"];
    g.benchmark = NormalizeBenchmarkName(f["benchmark"]);
    g.counter = f["counter"];
    if (!f.contains("baseline") || !f["baseline"].is_number()) {
      return InvalidArgument(where + " (" + g.name + ").baseline must be a number");
    }
    g.baseline = f["baseline"];
    const std::string better = f.value("better", "lower");
    if (better != "lower" && better != "higher") {
      return InvalidArgument(where + " (" + g.name + ").better must be \"lower\" or \"higher\"");
    }
    g.lower_is_better = better == "lower";
    if (f.contains("tolerance")) {
      const Json& t = f["tolerance"];
      if (!t.is_object())
        return InvalidArgument(where + " (" + g.name + ").tolerance must be an object");
      g.relative = t.value("relative", 0.0);
      g.absolute = t.value("absolute", 0.0);
      if (g.relative < 0 || g.absolute < 0) {
        return InvalidArgument(where + " (" + g.name + ").tolerance must not be negative");
      }
    }
    g.gate = f.value("gate", true);
    if (f.contains("target") && f["target"].is_number()) g.target = f["target"].get<double>();
    out.figures.push_back(std::move(g));
  }
  return out;
}

std::string NormalizeBenchmarkName(const std::string& name) {
  std::string out;
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    if (slash == std::string::npos) slash = name.size();
    const std::string part = name.substr(start, slash - start);
    const bool drop = part.rfind("min_time:", 0) == 0 || part.rfind("iterations:", 0) == 0 ||
                      part.rfind("repeats:", 0) == 0;
    if (!drop) AppendJoined(&out, "/", part);
    start = slash + 1;
  }
  return out;
}

Result<RunFigures> ParseRun(const Json& json) {
  if (!json.is_object() || !json.contains("benchmarks") || !json["benchmarks"].is_array()) {
    return InvalidArgument("run: expected Google Benchmark JSON with a \"benchmarks\" array");
  }
  std::map<std::string, std::map<std::string, std::vector<double>>> samples;
  RunFigures out;
  for (const Json& b : json["benchmarks"]) {
    if (!b.is_object() || !b.contains("name") || !b["name"].is_string()) continue;
    if (b.value("run_type", "iteration") != "iteration") continue;  // aggregates: we take medians
    const std::string name = NormalizeBenchmarkName(b["name"]);
    if (b.value("error_occurred", false)) {
      out.errors[name] = b.value("error_message", "error");
      continue;
    }
    for (const auto& [key, value] : b.items()) {
      if (value.is_number()) samples[name][key].push_back(value.get<double>());
    }
  }
  for (auto& [name, counters] : samples) {
    for (auto& [counter, values] : counters) out.values[name][counter] = Median(values);
  }
  return out;
}

bool Comparison::passed() const { return failed().empty(); }

std::vector<std::string> Comparison::failed() const {
  std::vector<std::string> names;
  for (const FigureResult& r : rows) {
    if (r.regressed) names.push_back(r.figure.name);
  }
  return names;
}

Comparison Compare(const Baseline& baseline, const RunFigures& run) {
  Comparison out;
  for (const GateFigure& f : baseline.figures) {
    FigureResult r;
    r.figure = f;
    auto bench = run.values.find(f.benchmark);
    if (auto error = run.errors.find(f.benchmark); error != run.errors.end()) {
      r.missing_reason = "benchmark failed: " + error->second;
    } else if (bench == run.values.end()) {
      r.missing_reason = "benchmark " + f.benchmark + " not in the run";
    } else if (auto c = bench->second.find(f.counter); c == bench->second.end()) {
      r.missing_reason = "counter " + f.counter + " not in " + f.benchmark;
    } else {
      r.now = c->second;
    }
    if (!r.now) {
      r.regressed = f.gate;
    } else if (f.gate) {
      r.regressed = f.lower_is_better ? *r.now > f.Limit() : *r.now < f.Limit();
    }
    out.rows.push_back(std::move(r));
  }
  return out;
}

std::string FormatComparison(const Comparison& comparison) {
  std::ostringstream os;
  os << Pad("figure", 34) << Pad("baseline", 12) << Pad("now", 12) << Pad("change", 10)
     << Pad("limit", 12) << Pad("target", 20) << "verdict\n";
  for (const FigureResult& r : comparison.rows) {
    const GateFigure& f = r.figure;
    std::string change = "-", now = "missing", target = "-";
    if (r.now) {
      now = Number(*r.now);
      if (f.baseline != 0) {
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%+.1f%%",
                      (*r.now - f.baseline) / std::fabs(f.baseline) * 100);
        change = buf;
      }
      if (f.target) {
        const bool met = f.lower_is_better ? *r.now <= *f.target : *r.now >= *f.target;
        target = (f.lower_is_better ? "<=" : ">=") + Number(*f.target) + (met ? " ok" : " MISSED");
      }
    }
    std::string verdict = !f.gate ? "info" : r.regressed ? "FAIL" : "ok";
    if (!r.now) verdict += " (" + r.missing_reason + ")";
    os << Pad(f.name, 34) << Pad(Number(f.baseline), 12) << Pad(now, 12) << Pad(change, 10)
       << Pad(f.gate ? Number(f.Limit()) : "-", 12) << Pad(target, 20) << verdict << "\n";
  }
  const std::vector<std::string> failed = comparison.failed();
  if (failed.empty()) {
    os << "gate: PASSED\n";
  } else {
    os << "gate: FAILED:";
    os << " " << Join(failed, ", ");
    os << "\n";
  }
  return os.str();
}

Result<Json> RefreshBaseline(const Baseline& baseline, const RunFigures& run,
                             const std::string& command, const std::string& date) {
  Json out = baseline.document;
  out["command"] = command;
  out["date"] = date;
  const Comparison comparison = Compare(baseline, run);
  for (size_t i = 0; i < comparison.rows.size(); ++i) {
    const FigureResult& r = comparison.rows[i];
    if (!r.now && r.figure.gate) {
      return NotFound("cannot refresh " + r.figure.name + ": " + r.missing_reason);
    }
    if (r.now) out["figures"][i]["baseline"] = *r.now;  // an ungated figure not run keeps its value
  }
  return out;
}

}  // namespace goose::bench
