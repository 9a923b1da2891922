// The Markdown summary of a leak run, for where a CI engine shows text
// (GitHub's job summary, $GITHUB_STEP_SUMMARY; a merge-request note): the
// overall verdict, the verdict table (the rows the terminal prints), the
// worst slopes, collapsed extra tables, and a link to the HTML report.
// Everything from the report goes through MarkdownCell, so a '|' or a
// newline in a message cannot break a table.

#ifndef GOOSE_SCENARIOS_REPORT_MARKDOWN_SUMMARY_H_
#define GOOSE_SCENARIOS_REPORT_MARKDOWN_SUMMARY_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/base/json.h"

namespace goose::scenarios {

using MarkdownRow = std::vector<std::string>;

// `text` safe in a table cell: '|' and '\' escaped, '<', '>', '`', '*',
// '[', ']' escaped (no markup, link or HTML from a report; GitHub does not
// emphasize inside words, so stream_drainage keeps its '_'), line breaks
// as spaces, and "-" for an empty cell.
std::string MarkdownCell(std::string_view text);

// A GitHub-flavoured table; every cell through MarkdownCell.
std::string MarkdownTable(const MarkdownRow& head, const std::vector<MarkdownRow>& rows);

// The judged series of `results` (ScenarioResult::ToJson()s) whose slopes
// are the worst, at most `n`: leaking series first, then heap series by
// their slope's share of the threshold. Columns: scenario, preset, series,
// slope/iter, 99% bounds, threshold, share, verdict.
MarkdownRow WorstSlopesHead();
std::vector<MarkdownRow> WorstSlopes(const Json& results, size_t n = 5);

struct MarkdownSection {
  std::string title;
  MarkdownRow head;
  std::vector<MarkdownRow> rows;
};

struct MarkdownSummary {
  std::string title;                       // "leakcheck", "leak gates"
  std::string verdict;                     // clean, leak, over_budget, error
  std::string subtitle;                    // one line under the title ("" for none)
  MarkdownRow head;                        // the verdict table
  std::vector<MarkdownRow> rows;           //   its rows, as the terminal prints them
  std::vector<std::string> notes;          // lines after the table (errors, skips)
  Json results = Json::array();            // ranked for the worst slopes
  std::vector<MarkdownSection> collapsed;  // tables in <details> (hostile peaks)
  std::string html_link;                   // relative path to the HTML report; "" for none
};

std::string RenderMarkdownSummary(const MarkdownSummary& summary);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_REPORT_MARKDOWN_SUMMARY_H_
