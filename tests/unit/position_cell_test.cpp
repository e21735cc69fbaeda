// SPDX-License-Identifier: PostgreSQL
// Which version of a position cell a writer and a reader see.
#include "core/position_cell.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

using namespace pgqpp::ext::core;

namespace {
// The server's answers about xids, as a table.
std::function<XidStatus(std::uint64_t)> statuses(std::map<std::uint64_t, XidStatus> m) {
  return [m](std::uint64_t x) { return m.at(x); };
}
std::function<bool(std::uint64_t)> sees(std::set<std::uint64_t> s) {
  return [s](std::uint64_t x) { return s.count(x) > 0; };
}
}  // namespace

TEST(PositionCellWriter, CommittedOrOwnWriterMeansNew) {
  CellVersion v{};
  ASSERT_TRUE(resolve_for_writer({10, 5, 5, 0}, statuses({{10, XidStatus::committed}}), v));
  EXPECT_EQ(v, CellVersion::new_pos);
  ASSERT_TRUE(resolve_for_writer({10, 5, 5, 0}, statuses({{10, XidStatus::current}}), v));
  EXPECT_EQ(v, CellVersion::new_pos);
}

TEST(PositionCellWriter, AbortedOrCrashedWriterMeansOld) {
  CellVersion v{};
  ASSERT_TRUE(resolve_for_writer({10, 5, 5, 0}, statuses({{10, XidStatus::aborted}}), v));
  EXPECT_EQ(v, CellVersion::old_pos);
  ASSERT_TRUE(resolve_for_writer({0, 0, 5, 0}, statuses({}), v));
  EXPECT_EQ(v, CellVersion::old_pos);
}

TEST(PositionCellWriter, AWriterRunningElsewhereIsAnError) {
  // It held the subscription row lock to its end: another writer cannot
  // find it running.
  CellVersion v = CellVersion::row;
  EXPECT_FALSE(resolve_for_writer({10, 5, 5, 0}, statuses({{10, XidStatus::running}}), v));
  EXPECT_EQ(v, CellVersion::row);
}

TEST(PositionCellReader, ASnapshotFromBeforeTheHoldReadsTheRow) {
  EXPECT_EQ(resolve_for_reader({10, 5, 5}, sees({})), CellVersion::row);
  EXPECT_EQ(resolve_for_reader({0, 0, 0}, sees({1, 2, 3})), CellVersion::row);
}

TEST(PositionCellReader, SeesNewWhenItSeesItsWriter) {
  EXPECT_EQ(resolve_for_reader({10, 7, 5}, sees({5, 7, 10})), CellVersion::new_pos);
}

TEST(PositionCellReader, SeesOldWhenItSeesOnlyTheOldWriter) {
  // The newest write is running, rolled back, or after the snapshot.
  EXPECT_EQ(resolve_for_reader({10, 7, 5}, sees({5, 7})), CellVersion::old_pos);
  // `old` is the row's own state (no previous writer).
  EXPECT_EQ(resolve_for_reader({10, 0, 5}, sees({5})), CellVersion::old_pos);
}

TEST(PositionCellReader, OlderThanTwoWritesGetsTheNewestCommitted) {
  // A repeatable-read snapshot taken after the hold began but before the
  // last two writes of the consumer: the cell no longer has its version.
  EXPECT_EQ(resolve_for_reader({10, 7, 5}, sees({5})), CellVersion::newest);
}

TEST(PositionCellMode, EntersAsSoonAsTheHorizonLagsAndLeavesAfterTheWholeHold) {
  EXPECT_FALSE(write_to_cell(false, true, true));   // row mode, VACUUM keeps up
  EXPECT_TRUE(write_to_cell(false, false, false));  // the horizon lags: to the cell
  // In cell mode, passing the row's xmin is not enough (no flapping)...
  EXPECT_TRUE(write_to_cell(true, true, false));
  // ...only passing the hold's first cell write returns to the row.
  EXPECT_FALSE(write_to_cell(true, true, true));
}

TEST(PositionCellReader, BeforeTheHoldButAlsoBeforeTheLastHoldsEndGetsTheNewest) {
  // The row was made authoritative again by 3 (the previous hold's end);
  // this hold began with 5. A snapshot that sees 3 reads the row; one that
  // predates 3 would read a row from before the previous hold.
  EXPECT_EQ(resolve_for_reader({10, 7, 5, 3}, sees({3})), CellVersion::row);
  EXPECT_EQ(resolve_for_reader({10, 7, 5, 3}, sees({})), CellVersion::newest);
}

namespace {
CellPosition at(std::int64_t last, std::optional<std::int64_t> next = {},
                std::optional<std::int64_t> batch = {}) {
  CellPosition p;
  p.last_tick = last;
  p.next_tick = next;
  p.batch = batch;
  p.active = last * 1000;
  return p;
}
const auto nobody = [](std::uint64_t) { return false; };
const auto everyone = [](std::uint64_t) { return true; };
}  // namespace

TEST(PositionCellRow, RoundTripsEveryFieldAndNull) {
  CellContent c;
  c.queue_id = 3;
  c.consumer_id = 4;
  c.xids = {10, 7, 5, 2};
  c.old_pos = at(1, 2, 99);
  c.new_pos = at(2);
  CellRow r = to_row(c);
  EXPECT_EQ(r.queue_id, 3);
  EXPECT_EQ(r.row_writer, 2);
  EXPECT_EQ(from_row(r), c);
  c.new_pos = CellPosition{};
  c.new_pos.in_row = true;
  EXPECT_EQ(from_row(to_row(c)), c);
}

TEST(PositionCellRow, UnknownFlagsAreRefused) {
  CellRow r = to_row(CellContent{});
  r.flags |= std::int64_t{1} << 40;
  EXPECT_FALSE(from_row(r));
}

TEST(PositionCellWrite, FirstWriteStartsAHoldFromTheRowState) {
  CellContent c = next_cell(3, 4, std::nullopt, CellVersion::row, at(1), 20, at(1, 2, 50), nobody);
  EXPECT_EQ(c.queue_id, 3);
  EXPECT_EQ(c.consumer_id, 4);
  EXPECT_EQ(c.xids, (CellXids{20, 0, 20, 0}));
  EXPECT_EQ(c.old_pos, at(1));
  EXPECT_EQ(c.new_pos, at(1, 2, 50));
}

TEST(PositionCellWrite, LaterWritesShiftTheResolvedStateToOld) {
  CellContent first =
      next_cell(3, 4, std::nullopt, CellVersion::row, at(1), 20, at(1, 2, 50), nobody);
  CellContent second = next_cell(3, 4, first, CellVersion::new_pos, at(0), 21, at(2), nobody);
  EXPECT_EQ(second.xids, (CellXids{21, 20, 20, 0}));
  EXPECT_EQ(second.old_pos, at(1, 2, 50));
  EXPECT_EQ(second.new_pos, at(2));
  // 21 rolled back: the next writer resolves to old and keeps 20 as prev.
  CellContent third =
      next_cell(3, 4, second, CellVersion::old_pos, at(0), 22, at(2, 3, 51), nobody);
  EXPECT_EQ(third.xids, (CellXids{22, 20, 20, 0}));
  EXPECT_EQ(third.old_pos, at(1, 2, 50));
}

TEST(PositionCellWrite, SameSubtransactionChangesOnlyNew) {
  CellContent first =
      next_cell(3, 4, std::nullopt, CellVersion::row, at(1), 20, at(1, 2, 50), nobody);
  CellContent again = next_cell(3, 4, first, CellVersion::new_pos, at(0), 20, at(2), nobody);
  EXPECT_EQ(again.xids, first.xids);
  EXPECT_EQ(again.old_pos, first.old_pos);
  EXPECT_EQ(again.new_pos, at(2));
}

TEST(PositionCellWrite, AfterAReturnToTheRowANewHoldRemembersItsEnd) {
  CellContent held = next_cell(3, 4, std::nullopt, CellVersion::row, at(1), 20, at(2), nobody);
  CellPosition row;
  row.in_row = true;
  CellContent back = next_cell(3, 4, held, CellVersion::new_pos, at(0), 30, row, nobody);
  EXPECT_EQ(back.xids, (CellXids{30, 20, 20, 0}));
  EXPECT_TRUE(back.new_pos.in_row);
  // 30 committed; a later hold starts from the row, remembering 30 while a
  // snapshot may predate it, and forgetting it once every one sees it.
  CellContent next = next_cell(3, 4, back, CellVersion::new_pos, at(5), 40, at(6), nobody);
  EXPECT_EQ(next.xids, (CellXids{40, 0, 40, 30}));
  EXPECT_EQ(next.old_pos, at(5));
  CellContent settled = next_cell(3, 4, back, CellVersion::new_pos, at(5), 40, at(6), everyone);
  EXPECT_EQ(settled.xids.row_writer, 0u);
}
