// A plain-text table: columns aligned for a terminal or a log.

#ifndef GOOSE_CORE_BASE_TEXT_TABLE_H_
#define GOOSE_CORE_BASE_TEXT_TABLE_H_

#include <string>
#include <vector>

namespace goose {

// `head` and then each of `rows`, one line each, every column as wide as
// its widest cell and two spaces from the next; the last cell of a line is
// not padded:
//
//   scenario  verdict
//   reaping   clean
//
// A row may have fewer cells than another; the missing ones are empty.
std::string RenderTextTable(const std::vector<std::string>& head,
                            const std::vector<std::vector<std::string>>& rows);

}  // namespace goose

#endif  // GOOSE_CORE_BASE_TEXT_TABLE_H_
