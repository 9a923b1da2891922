#include "scenarios/report/markdown_summary.h"

#include <algorithm>
#include <cmath>

#include "scenarios/report/html_text.h"
#include "scenarios/report/json_fields.h"

namespace goose::scenarios {
namespace {

// A series ranked among the worst slopes.
struct Ranked {
  bool leak = false;
  double share = 0;  // slope / threshold for a heap series; 0 otherwise
  MarkdownRow row;
};

std::string VerdictWord(const std::string& verdict) {
  if (verdict == "clean") return "clean";
  if (verdict == "leak") return "**LEAK**";
  if (verdict == "over_budget") return "**OVER BUDGET**";
  if (verdict == "error") return "**ERROR**";
  return verdict.empty() ? "-" : verdict;
}

}  // namespace

std::string MarkdownCell(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '|':
      case '\\':
      case '`':
      case '*':
      case '[':
      case ']':
      case '<':
      case '>':
        out += '\\';
        out += c;
        break;
      case '\n':
      case '\r':
      case '\t':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out.empty() ? "-" : out;
}

std::string MarkdownTable(const MarkdownRow& head, const std::vector<MarkdownRow>& rows) {
  std::string md = "|";
  for (const std::string& h : head) md += " " + MarkdownCell(h) + " |";
  md += "\n|";
  for (size_t i = 0; i < head.size(); ++i) md += " --- |";
  md += "\n";
  for (const MarkdownRow& row : rows) {
    md += "|";
    for (size_t i = 0; i < head.size(); ++i) {
      md += " " + MarkdownCell(i < row.size() ? row[i] : "") + " |";
    }
    md += "\n";
  }
  return md;
}

MarkdownRow WorstSlopesHead() {
  return {"scenario",   "preset",    "series", "slope/iter",
          "99% bounds", "threshold", "share",  "verdict"};
}

std::vector<MarkdownRow> WorstSlopes(const Json& results, size_t n) {
  std::vector<Ranked> ranked;
  for (const Json& r : results.is_array() ? results : JsonArray(results, "")) {
    const Json& series = JsonArray(r, "series");
    for (const Json& s : series) {
      const std::string kind = JsonString(s, "kind");
      const double slope = JsonNumber(s, "slope");
      const bool leak = JsonString(s, "verdict") == "leak";
      if ((kind != "heap" && !(kind == "counted" && leak)) || !std::isfinite(slope)) continue;
      const std::string unit = JsonString(s, "unit");
      const double threshold = JsonNumber(s, "threshold");
      const bool heap = kind == "heap" && std::isfinite(threshold) && threshold > 0;
      Ranked x;
      x.leak = leak;
      x.share = heap ? slope / threshold : 0;
      x.row = {JsonString(r, "scenario"),
               JsonString(r, "preset"),
               JsonString(s, "name"),
               FormatQuantity(slope, unit),
               "[" + FormatQuantity(JsonNumber(s, "slope_lower"), unit) + ", " +
                   FormatQuantity(JsonNumber(s, "slope_upper"), unit) + "]",
               kind == "heap" ? FormatQuantity(threshold, unit) : "0 (zero tolerance)",
               heap ? FormatNumber(x.share * 100) + "%" : "-",
               leak ? "leak" : JsonString(s, "verdict")};
      ranked.push_back(std::move(x));
    }
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
    if (a.leak != b.leak) return a.leak;
    return a.share > b.share;
  });
  std::vector<MarkdownRow> rows;
  for (size_t i = 0; i < ranked.size() && i < n; ++i) rows.push_back(std::move(ranked[i].row));
  return rows;
}

std::string RenderMarkdownSummary(const MarkdownSummary& summary) {
  std::string md =
      "## " + MarkdownCell(summary.title) + ": " + VerdictWord(summary.verdict) + "\n\n";
  if (!summary.subtitle.empty()) md += MarkdownCell(summary.subtitle) + "\n\n";
  md += MarkdownTable(summary.head, summary.rows) + "\n";
  for (const std::string& note : summary.notes) md += "- " + MarkdownCell(note) + "\n";
  if (!summary.notes.empty()) md += "\n";
  const std::vector<MarkdownRow> worst = WorstSlopes(summary.results);
  if (!worst.empty()) {
    md += "### Worst slopes\n\n" + MarkdownTable(WorstSlopesHead(), worst) + "\n";
  }
  for (const MarkdownSection& section : summary.collapsed) {
    md += "<details><summary>" + MarkdownCell(section.title) + "</summary>\n\n" +
          MarkdownTable(section.head, section.rows) + "\n</details>\n\n";
  }
  if (!summary.html_link.empty()) {
    // The link target keeps its characters; only ')' and spaces would end it.
    std::string target;
    for (const char c : summary.html_link) {
      if (c == ' ') {
        target += "%20";
      } else if (c == ')') {
        target += "%29";
      } else if (c == '(') {
        target += "%28";
      } else {
        target += c;
      }
    }
    md += "Plots, every series and the heap profiles: [" + MarkdownCell(summary.html_link) + "](" +
          target + ")\n";
  }
  return md;
}

}  // namespace goose::scenarios
