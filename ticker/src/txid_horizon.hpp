// SPDX-License-Identifier: PostgreSQL
// The check that a database's transaction ids are ahead of its PgQ ticks.
// A dump restored into a cluster whose transaction ids are lower than the
// source's carries tick snapshots from the "future": every event written
// afterwards has a txid those snapshots count as already seen, so no batch
// ever returns it. The ticker, `pgqpp install` and `pgqpp status` run the
// query and refuse such a database with the line below.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace pgqpp::ticker {

/// One row: the highest xmax of any snapshot in pgq.tick (NULL without
/// ticks) and the xmax of the current snapshot. Reads without taking a
/// transaction id; works on PgQ 3.5's schema as on pgqpp's.
inline constexpr const char* kTxidHorizonSql =
    "select (select max(pg_catalog.txid_snapshot_xmax(tick_snapshot)) from pgq.tick),"
    " pg_catalog.txid_snapshot_xmax(pg_catalog.txid_current_snapshot())";

/// The epoch to give `pg_resetwal -e` so that every new transaction id is
/// above `tick_xmax`.
inline std::int64_t epoch_past(std::int64_t tick_xmax) { return (tick_xmax >> 32) + 1; }

/// nullopt when the database's transaction ids (`now_xmax`) have reached
/// the ticks' (`tick_xmax`, absent without ticks); otherwise the one-line
/// refusal for database `database`, saying what to do.
std::optional<std::string> txid_horizon_problem(const std::string& database,
                                                std::optional<std::int64_t> tick_xmax,
                                                std::int64_t now_xmax);

}  // namespace pgqpp::ticker
