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
  if (cell.since == 0 || !visible(cell.since))
    return cell.row_writer == 0 || visible(cell.row_writer) ? CellVersion::row
                                                            : CellVersion::newest;
  if (cell.writer != 0 && visible(cell.writer)) return CellVersion::new_pos;
  if (cell.prev == 0 || visible(cell.prev)) return CellVersion::old_pos;
  return CellVersion::newest;
}

namespace {

// cell_flags: per version, "in the row" and which position fields are NULL.
constexpr std::int64_t kInRow = 1, kNoLastTick = 2, kNoNextTick = 4, kNoBatch = 8;
constexpr int kNewShift = 4;  // the new version's bits, above the old's
constexpr std::int64_t kKnownFlags = 0xff;

std::int64_t version_flags(const CellPosition& p) {
  return (p.in_row ? kInRow : 0) | (p.last_tick ? 0 : kNoLastTick) |
         (p.next_tick ? 0 : kNoNextTick) | (p.batch ? 0 : kNoBatch);
}

CellPosition version_from(std::int64_t flags, std::int64_t last_tick, std::int64_t next_tick,
                          std::int64_t batch, std::int64_t active) {
  auto field = [&](std::int64_t bit, std::int64_t v) {
    return flags & bit ? std::nullopt : std::optional<std::int64_t>(v);
  };
  CellPosition p;
  p.in_row = flags & kInRow;
  p.last_tick = field(kNoLastTick, last_tick);
  p.next_tick = field(kNoNextTick, next_tick);
  p.batch = field(kNoBatch, batch);
  p.active = active;
  return p;
}

}  // namespace

CellRow to_row(const CellContent& c) {
  CellRow r{};
  r.queue_id = c.queue_id;
  r.consumer_id = c.consumer_id;
  r.flags = version_flags(c.old_pos) | version_flags(c.new_pos) << kNewShift;
  r.writer = static_cast<std::int64_t>(c.xids.writer);
  r.prev = static_cast<std::int64_t>(c.xids.prev);
  r.since = static_cast<std::int64_t>(c.xids.since);
  r.row_writer = static_cast<std::int64_t>(c.xids.row_writer);
  r.old_last_tick = c.old_pos.last_tick.value_or(0);
  r.old_next_tick = c.old_pos.next_tick.value_or(0);
  r.old_batch = c.old_pos.batch.value_or(0);
  r.old_active = c.old_pos.active;
  r.new_last_tick = c.new_pos.last_tick.value_or(0);
  r.new_next_tick = c.new_pos.next_tick.value_or(0);
  r.new_batch = c.new_pos.batch.value_or(0);
  r.new_active = c.new_pos.active;
  return r;
}

std::optional<CellContent> from_row(const CellRow& r) {
  if (r.flags & ~kKnownFlags) return std::nullopt;
  CellContent c;
  c.queue_id = r.queue_id;
  c.consumer_id = r.consumer_id;
  c.xids = {static_cast<std::uint64_t>(r.writer), static_cast<std::uint64_t>(r.prev),
            static_cast<std::uint64_t>(r.since), static_cast<std::uint64_t>(r.row_writer)};
  c.old_pos = version_from(r.flags, r.old_last_tick, r.old_next_tick, r.old_batch, r.old_active);
  c.new_pos = version_from(r.flags >> kNewShift, r.new_last_tick, r.new_next_tick, r.new_batch,
                           r.new_active);
  return c;
}

CellContent next_cell(std::int32_t queue_id, std::int32_t consumer_id,
                      const std::optional<CellContent>& current, CellVersion resolved,
                      const CellPosition& row_state, std::uint64_t self, const CellPosition& next,
                      const std::function<bool(std::uint64_t)>& everyone_sees) {
  CellContent c;
  c.queue_id = queue_id;
  c.consumer_id = consumer_id;
  std::uint64_t row_writer = 0;
  if (current) {
    c.xids = current->xids;
    c.old_pos = current->old_pos;
    if (c.xids.writer == self) {
      c.new_pos = next;
      return c;
    }
    const bool was_new = resolved == CellVersion::new_pos;
    const CellPosition& state = was_new ? current->new_pos : current->old_pos;
    const std::uint64_t state_writer = was_new ? current->xids.writer : current->xids.prev;
    if (!state.in_row) {
      c.old_pos = state;
      c.xids.prev = state_writer;
      c.xids.writer = self;
      c.new_pos = next;
      return c;
    }
    if (state_writer != 0 && !everyone_sees(state_writer)) row_writer = state_writer;
  }
  // A new hold: the row holds the state every reader agrees on so far.
  c.old_pos = row_state;
  c.old_pos.in_row = false;
  c.xids = {self, 0, self, row_writer};
  c.new_pos = next;
  return c;
}

bool write_to_cell(bool in_cell_mode, bool horizon_passed_row, bool horizon_passed_since) {
  if (in_cell_mode) return !horizon_passed_since;
  return !horizon_passed_row;
}

}  // namespace pgqpp::ext::core
