// SPDX-License-Identifier: PostgreSQL
// pgq._cell_positions(): the positions that position cells hold, for the
// view pgq.subscription_current (extension/sql/58_position_cell.sql).
#include "functions/position_cells.hpp"
#include "pg/bridge.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "utils/snapmgr.h"
}

using namespace pgqpp::ext;

/// pgq._cell_positions() -> setof (queue_id, consumer_id, last_tick,
/// next_tick, batch_id, active): the consumers whose position, for the
/// calling statement's snapshot, is in their cell rather than their
/// pgq.subscription row.
PGQPP_FUNCTION(pgqpp_cell_positions) {
  pg_call([&] { InitMaterializedSRF(fcinfo, 0); });
  auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
  Snapshot snapshot = pg_call([] { return GetActiveSnapshot(); });
  for (const CellHeld& h : cell_positions(snapshot)) {
    auto opt = [](const std::optional<int64>& v) { return v ? Int64GetDatum(*v) : Datum(0); };
    Datum values[6] = {Int32GetDatum(h.queue_id), Int32GetDatum(h.consumer_id),
                       opt(h.pos.last_tick),      opt(h.pos.next_tick),
                       opt(h.pos.batch),          TimestampTzGetDatum(h.pos.active)};
    bool nulls[6] = {false, false, !h.pos.last_tick, !h.pos.next_tick, !h.pos.batch, false};
    pg_call([&] { tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls); });
  }
  return 0;
}

/// pgq._position_to_row(queue_id, consumer_id) -> void: returns the
/// consumer to row mode with its position unchanged, before SQL that
/// UPDATEs its pgq.subscription row itself.
PGQPP_FUNCTION(pgqpp_position_to_row) {
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1)) PG_RETURN_VOID();
  spi::Session session;
  position_to_row(PG_GETARG_INT32(0), PG_GETARG_INT32(1));
  PG_RETURN_VOID();
}
