// SPDX-License-Identifier: PostgreSQL
// Writes rows straight into an event table (heap and ev_txid index), the way
// COPY does, without planning or executing an INSERT statement. Used by every
// path that creates events: insert_event, the bulk insert, retry moves.
#pragma once

#include "pg/postgres.hpp"

namespace pgqpp::ext {

/// The columns of pgq.event_template, in table order.
enum EventColumn {
  kEvId,
  kEvTime,
  kEvTxid,
  kEvOwner,
  kEvRetry,
  kEvType,
  kEvData,
  kEvExtra1,
  kEvExtra2,
  kEvExtra3,
  kEvExtra4,
  kEventColumns
};

/// One event row under construction: values and NULL flags by EventColumn.
struct EventRow {
  Datum values[kEventColumns];
  bool nulls[kEventColumns];
};

/// An open event table. Plain data with no destructor: open() and close() are
/// called by frames that own no C++ objects, and if an error interrupts,
/// PostgreSQL's abort processing releases the relation and the executor state.
struct EventWriter {
  Relation rel;
  EState* estate;
  ResultRelInfo* result_rel;
  TupleTableSlot* slot;
  BulkInsertState bulk;  // only for multi-row writes
  CommandId cid;
};

/// Opens `table` (already locked RowExclusive by the caller) for writing;
/// `bulk` selects the bulk-insert buffer strategy for many rows.
void event_writer_open(EventWriter* w, Oid table, bool bulk);

/// Inserts one row. The caller fills ev_id (see next_event_id) and the rest.
void event_writer_write(EventWriter* w, const EventRow* row);

void event_writer_close(EventWriter* w);

/// The next value of the queue's event id sequence.
int64 next_event_id(Oid event_seq);

/// The current top-level transaction id as txid_current() reports it.
int64 current_txid();

}  // namespace pgqpp::ext
