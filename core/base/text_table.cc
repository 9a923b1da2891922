#include "core/base/text_table.h"

#include <algorithm>

namespace goose {
namespace {

void Widen(const std::vector<std::string>& row, std::vector<size_t>* widths) {
  if (widths->size() < row.size()) widths->resize(row.size(), 0);
  for (size_t c = 0; c < row.size(); ++c) (*widths)[c] = std::max((*widths)[c], row[c].size());
}

void AppendLine(const std::vector<std::string>& row, const std::vector<size_t>& widths,
                std::string* out) {
  for (size_t c = 0; c < row.size(); ++c) {
    *out += row[c];
    if (c + 1 < row.size()) out->append(widths[c] - row[c].size() + 2, ' ');
  }
  *out += '\n';
}

}  // namespace

std::string RenderTextTable(const std::vector<std::string>& head,
                            const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  Widen(head, &widths);
  for (const std::vector<std::string>& row : rows) Widen(row, &widths);
  std::string out;
  AppendLine(head, widths, &out);
  for (const std::vector<std::string>& row : rows) AppendLine(row, widths, &out);
  return out;
}

}  // namespace goose
