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
  ASSERT_TRUE(resolve_for_writer({10, 5, 5}, statuses({{10, XidStatus::committed}}), v));
  EXPECT_EQ(v, CellVersion::new_pos);
  ASSERT_TRUE(resolve_for_writer({10, 5, 5}, statuses({{10, XidStatus::current}}), v));
  EXPECT_EQ(v, CellVersion::new_pos);
}

TEST(PositionCellWriter, AbortedOrCrashedWriterMeansOld) {
  CellVersion v{};
  ASSERT_TRUE(resolve_for_writer({10, 5, 5}, statuses({{10, XidStatus::aborted}}), v));
  EXPECT_EQ(v, CellVersion::old_pos);
  ASSERT_TRUE(resolve_for_writer({0, 0, 5}, statuses({}), v));
  EXPECT_EQ(v, CellVersion::old_pos);
}

TEST(PositionCellWriter, AWriterRunningElsewhereIsAnError) {
  // It held the subscription row lock to its end: another writer cannot
  // find it running.
  CellVersion v = CellVersion::row;
  EXPECT_FALSE(resolve_for_writer({10, 5, 5}, statuses({{10, XidStatus::running}}), v));
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
