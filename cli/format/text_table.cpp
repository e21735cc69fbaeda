// SPDX-License-Identifier: PostgreSQL
// The aligned plain-text table (see text_table.hpp).
#include "text_table.hpp"

#include <algorithm>
#include <stdexcept>

namespace pgqpp::cli {

namespace {

// Display width: UTF-8 continuation bytes take no column (queue names may be
// non-ASCII); wide characters are rare enough in names to count as one.
std::size_t width(const std::string& text) {
  std::size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

const char* tone_code(Tone tone) {
  switch (tone) {
    case Tone::plain:
      return "";
    case Tone::bold:
      return "\x1b[1m";
    case Tone::dim:
      return "\x1b[2m";
    case Tone::red:
      return "\x1b[31m";
    case Tone::yellow:
      return "\x1b[33m";
    case Tone::green:
      return "\x1b[32m";
  }
  return "";
}

TextTable::TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {}

void TextTable::add_row(std::vector<Cell> cells) {
  if (cells.size() > columns_.size())
    throw std::invalid_argument("table row has more cells than columns");
  cells.resize(columns_.size());
  rows_.push_back(std::move(cells));
}

std::string TextTable::render(bool colour) const {
  std::vector<std::size_t> widths(columns_.size());
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    widths[i] = width(columns_[i].header);
    for (const auto& row : rows_) widths[i] = std::max(widths[i], width(row[i].text));
  }
  auto line = [&](const std::vector<Cell>& cells) {
    std::string out;
    // Trailing padding is dropped: find the last non-empty cell.
    std::size_t last = cells.size();
    while (last > 0 && cells[last - 1].text.empty()) --last;
    for (std::size_t i = 0; i < last; ++i) {
      if (i) out += "  ";
      const std::string pad(widths[i] - width(cells[i].text), ' ');
      const bool right = columns_[i].right_aligned;
      const bool is_last = i + 1 == last;
      const bool toned = colour && cells[i].tone != Tone::plain;
      if (right) out += pad;
      if (toned) out += tone_code(cells[i].tone);
      out += cells[i].text;
      if (toned) out += "\x1b[0m";
      if (!right && !is_last) out += pad;
    }
    return out + "\n";
  };
  std::vector<Cell> header;
  for (const auto& c : columns_) header.push_back({c.header, Tone::bold});
  std::string out = line(header);
  for (const auto& row : rows_) out += line(row);
  return out;
}

}  // namespace pgqpp::cli
