#include "scenarios/report/verdict_message.h"

#include <cmath>
#include <string_view>

#include "core/base/strings.h"
#include "scenarios/report/html_text.h"
#include "scenarios/report/json_fields.h"

namespace goose::scenarios {
namespace {

// A number as the JUnit message shows it: up to 6 significant digits, so
// a slope of 84.83 B stays 84.83 rather than "84.8"; "-" when absent.
std::string Num(const Json& value) {
  return value.is_number() ? FormatNumber(value.get<double>(), 6) : std::string("-");
}

std::string MibText(const Json& bytes) {
  if (!bytes.is_number() || bytes.get<double>() < 0) return "-";
  return FormatNumber(bytes.get<double>() / (1 << 20), 4) + " MiB";
}

bool Judged(const Json& series) {
  const std::string kind = JsonString(series, "kind");
  return kind == "heap" || kind == "counted";
}

std::string PeakText(const Json& peak) {
  return "heap +" + MibText(JsonField(peak, "heap_rise")) + " (budget +" +
         MibText(JsonField(peak, "heap_budget")) + "), resident +" +
         MibText(JsonField(peak, "rss_rise")) + " (budget +" +
         MibText(JsonField(peak, "rss_budget")) + ")";
}

}  // namespace

std::string SeriesFigures(const Json& series, const Json& confidence) {
  const std::string unit = JsonString(series, "unit");
  const std::string per = (unit.empty() ? std::string(" ") : " " + unit) + "/iteration";
  std::string text =
      (JsonString(series, "name").empty() ? std::string("?") : JsonString(series, "name")) +
      ": slope " + Num(JsonField(series, "slope")) + per;
  const std::string level =
      confidence.is_number() ? FormatNumber(confidence.get<double>() * 100) + "%" : "99%";
  text += ", " + level + " bounds [" + Num(JsonField(series, "slope_lower")) + ", " +
          Num(JsonField(series, "slope_upper")) + "]";
  if (JsonString(series, "kind") == "heap") {
    text += ", threshold " + Num(JsonField(series, "threshold")) + per;
  } else {
    text += ", baseline " + Num(JsonField(series, "baseline")) + ", settled " +
            Num(JsonField(series, "settled")) + " (zero tolerance)";
  }
  return text;
}

std::string ThresholdFromFile(const Json& result) {
  const std::string file = JsonString(result, "heap_threshold_file");
  if (file.empty()) return "";
  std::string threshold = "-";
  for (const Json& s : JsonArray(result, "series")) {
    if (JsonString(s, "kind") != "heap") continue;
    const std::string unit = JsonString(s, "unit");
    threshold =
        Num(JsonField(s, "threshold")) + (unit.empty() ? " /" : " " + unit + "/") + "iteration";
  }
  return "heap threshold " + threshold + " from " + file + ": " +
         JsonString(result, "heap_threshold_reason");
}

std::string VerdictMessage(const Json& result) {
  const std::string verdict = JsonString(result, "verdict");
  if (verdict == "leak") {
    std::string text;
    for (const Json& s : JsonArray(result, "series")) {
      if (Judged(s) && JsonString(s, "verdict") == "leak") {
        AppendJoined(&text, "; ", SeriesFigures(s, JsonField(result, "slope_confidence")));
        const std::string mine = JsonString(s, "kind") == "heap" ? ThresholdFromFile(result) : "";
        if (!mine.empty()) text += " (" + mine + ")";
      }
    }
    if (const Json& lsan = JsonField(result, "lsan_leaks"); lsan.is_number() && lsan != 0) {
      AppendJoined(&text, "; ", "LeakSanitizer: " + Num(lsan) + " report(s) of unreachable memory");
    }
    for (const Json& v : JsonArray(result, "violations")) {
      if (v.is_string()) AppendJoined(&text, "; ", "violation: " + v.get<std::string>());
    }
    return "leak: " + (text.empty() ? std::string("-") : text);
  }
  if (verdict == "over_budget") return "over budget: peak " + PeakText(JsonField(result, "peak"));
  if (verdict == "error") return "error: " + JsonString(result, "error");
  if (verdict == "skipped") return "skipped: " + JsonString(result, "skipped_reason");
  if (verdict == "clean") return "";
  return "verdict " + (verdict.empty() ? std::string("-") : verdict);
}

std::string VerdictDetail(const Json& result) {
  std::string text;
  for (const Json& s : JsonArray(result, "series")) {
    if (Judged(s))
      text += SeriesFigures(s, JsonField(result, "slope_confidence")) + ": " +
              JsonString(s, "verdict") + "\n";
  }
  if (const Json& peak = JsonField(result, "peak"); peak.is_object()) {
    text += "peak: " + PeakText(peak) +
            (JsonField(peak, "judged") == Json(true) ? "" : ", recorded, not judged") + "\n";
  }
  if (const std::string error = JsonString(result, "error"); !error.empty()) {
    text += "error: " + error + "\n";
  }
  for (const Json& v : JsonArray(result, "violations")) {
    if (v.is_string()) text += "violation: " + v.get<std::string>() + "\n";
  }
  if (const Json& lsan = JsonField(result, "lsan_leaks"); lsan.is_number() && lsan != 0) {
    text += "LeakSanitizer: " + Num(lsan) + " report(s)\n";
  }
  return text;
}

}  // namespace goose::scenarios
