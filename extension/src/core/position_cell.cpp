// SPDX-License-Identifier: PostgreSQL
// Which version of a position cell counts (position_cell.hpp).
#include "core/position_cell.hpp"

namespace pgqpp::ext::core {

bool resolve_for_writer(const CellXids& cell, const std::function<XidStatus(std::uint64_t)>& status,
                        CellVersion& out) {
  if (cell.writer == 0) {
    out = CellVersion::old_pos;
    return true;
  }
  switch (status(cell.writer)) {
    case XidStatus::current:
    case XidStatus::committed:
      out = CellVersion::new_pos;
      return true;
    case XidStatus::aborted:
      out = CellVersion::old_pos;
      return true;
    case XidStatus::running:
      break;
  }
  return false;
}

CellVersion resolve_for_reader(const CellXids& cell,
                               const std::function<bool(std::uint64_t)>& visible) {
  // A snapshot from before the hold's first cell write reads the row, as
  // PgQ's readers do: the row still holds what that snapshot saw.
  if (cell.since == 0 || !visible(cell.since)) return CellVersion::row;
  if (cell.writer != 0 && visible(cell.writer)) return CellVersion::new_pos;
  if (cell.prev == 0 || visible(cell.prev)) return CellVersion::old_pos;
  return CellVersion::newest;
}

bool write_to_cell(bool in_cell_mode, bool horizon_passed_row, bool horizon_passed_since) {
  if (in_cell_mode) return !horizon_passed_since;
  return !horizon_passed_row;
}

}  // namespace pgqpp::ext::core
