// SPDX-License-Identifier: PostgreSQL
// An aligned plain-text table: a header and rows of cells, columns padded to
// their widest cell, numbers right-aligned. Cells may carry a colour, which
// is added around the padded text so that escape codes never break the
// alignment (and left out entirely when colour is off).
#pragma once

#include <string>
#include <vector>

namespace pgqpp::cli {

/// A cell's colour (ANSI SGR), used only when the table is rendered with colour.
enum class Tone { plain, bold, dim, red, yellow, green };

/// One cell: its text and colour.
struct Cell {
  std::string text;
  Tone tone = Tone::plain;
};

/// One column: its header and alignment.
struct Column {
  std::string header;
  bool right_aligned = false;
};

/// A table built row by row and rendered at once.
class TextTable {
 public:
  /// A table with these columns.
  explicit TextTable(std::vector<Column> columns);
  /// Adds a row; missing cells are empty, extra cells are an error
  /// (std::invalid_argument).
  void add_row(std::vector<Cell> cells);
  /// The table, one line per row after the header, columns separated by two
  /// spaces, no trailing spaces; with `colour`, the header is bold and cells
  /// get their tones as ANSI escape codes.
  std::string render(bool colour) const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<Cell>> rows_;
};

/// The ANSI escape sequence that starts `tone` ("" for plain).
const char* tone_code(Tone tone);

}  // namespace pgqpp::cli
