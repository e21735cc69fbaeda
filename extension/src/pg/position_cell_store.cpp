// SPDX-License-Identifier: PostgreSQL
// Reading and overwriting position cells: see position_cell_store.hpp.
#include "pg/position_cell_store.hpp"

#include <cstring>

#include "pg/bridge.hpp"

extern "C" {
#include "access/genam.h"
#include "access/relscan.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "storage/bufmgr.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

namespace pgqpp::ext {
namespace {

// The functions below own only PostgreSQL resources: an error may longjmp
// through them, and the public functions call them through pg_call.

// systable_beginscan maps the heap's column numbers to the index's.
void key_for(ScanKeyData key[2], CellKey k) {
  ScanKeyInit(&key[0], 1, BTEqualStrategyNumber, F_INT4EQ, Int32GetDatum(k.queue_id));
  ScanKeyInit(&key[1], 2, BTEqualStrategyNumber, F_INT4EQ, Int32GetDatum(k.consumer_id));
}

// The tuple a systable scan returned lives in its slot's buffer, pinned.
Buffer scan_buffer(SysScanDesc scan) {
  return reinterpret_cast<BufferHeapTupleTableSlot*>(scan->slot)->buffer;
}

// Copies the row's bytes, checking its shape first: the table is the
// extension's own, but a damaged or hand-altered one must not be read past.
void copy_form(Relation rel, HeapTuple tuple, PositionCellForm* out) {
  if (HeapTupleHasNulls(tuple) || tuple->t_len - tuple->t_data->t_hoff != sizeof(PositionCellForm))
    elog(ERROR, "\"%s\" does not have the position cell's layout", RelationGetRelationName(rel));
  std::memcpy(out, GETSTRUCT(tuple), sizeof(PositionCellForm));
}

// The scans register the caller's snapshot for their duration: it may be
// GetLatestSnapshot()'s or GetTransactionSnapshot()'s static one, which the
// next call of either overwrites.
bool read_cell(PositionCellTable t, CellKey k, Snapshot given, PositionCellForm* out) {
  Relation rel = table_open(t.table, AccessShareLock);
  ScanKeyData key[2];
  key_for(key, k);
  Snapshot snapshot = RegisterSnapshot(given);
  SysScanDesc scan = systable_beginscan(rel, t.pkey, true, snapshot, 2, key);
  HeapTuple tuple = systable_getnext(scan);
  bool found = HeapTupleIsValid(tuple);
  if (found) {
    // The scan holds a pin only; an in-place write holds the exclusive
    // lock while it overwrites, so the share lock makes the copy whole.
    Buffer buffer = scan_buffer(scan);
    LockBuffer(buffer, BUFFER_LOCK_SHARE);
    copy_form(rel, tuple, out);
    LockBuffer(buffer, BUFFER_LOCK_UNLOCK);
  }
  systable_endscan(scan);
  UnregisterSnapshot(snapshot);
  table_close(rel, NoLock);
  return found;
}

int read_all_cells(PositionCellTable t, Snapshot given, PositionCellForm** out) {
  Relation rel = table_open(t.table, AccessShareLock);
  Snapshot snapshot = RegisterSnapshot(given);
  SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, snapshot, 0, nullptr);
  int n = 0, room = 8;
  auto* rows = static_cast<PositionCellForm*>(palloc(room * sizeof(PositionCellForm)));
  for (HeapTuple tuple; HeapTupleIsValid(tuple = systable_getnext(scan));) {
    if (n == room) {
      room *= 2;
      rows = static_cast<PositionCellForm*>(repalloc(rows, room * sizeof(PositionCellForm)));
    }
    Buffer buffer = scan_buffer(scan);
    LockBuffer(buffer, BUFFER_LOCK_SHARE);
    copy_form(rel, tuple, &rows[n++]);
    LockBuffer(buffer, BUFFER_LOCK_UNLOCK);
  }
  systable_endscan(scan);
  UnregisterSnapshot(snapshot);
  table_close(rel, NoLock);
  *out = rows;
  return n;
}

// heap_inplace_lock calls this before it waits for a concurrent updater of
// the row, so that the wait holds no buffer pin and no snapshot.
struct OpenScan {
  SysScanDesc scan;
  Snapshot snapshot;
};

void end_scan(void* arg) {
  auto* open = static_cast<OpenScan*>(arg);
  systable_endscan(open->scan);
  UnregisterSnapshot(open->snapshot);
}

bool overwrite_cell(PositionCellTable t, const PositionCellForm* in) {
  Relation rel = table_open(t.table, RowExclusiveLock);
  ScanKeyData key[2];
  key_for(key, {in->queue_id, in->consumer_id});
  for (int tries = 0;; tries++) {
    // A row version committed after the statement's snapshot must be
    // found: the newest one, which is the one a wait below leaves.
    if (tries > 1000)
      elog(ERROR, "gave up overwriting the position cell of consumer %d of queue %d",
           in->consumer_id, in->queue_id);
    OpenScan open{nullptr, RegisterSnapshot(GetLatestSnapshot())};
    open.scan = systable_beginscan(rel, t.pkey, true, open.snapshot, 2, key);
    HeapTuple tuple = systable_getnext(open.scan);
    if (!HeapTupleIsValid(tuple)) {
      end_scan(&open);
      table_close(rel, NoLock);
      return false;
    }
    auto* slot = reinterpret_cast<BufferHeapTupleTableSlot*>(open.scan->slot);
    if (!heap_inplace_lock(rel, slot->base.tuple, slot->buffer, end_scan, &open)) continue;
    // The buffer is locked exclusively now: check and copy, then write.
    HeapTuple copy = heap_copytuple(tuple);
    PositionCellForm check;
    copy_form(rel, copy, &check);
    std::memcpy(GETSTRUCT(copy), in, sizeof(PositionCellForm));
    heap_inplace_update_and_unlock(rel, slot->base.tuple, copy, slot->buffer);
    end_scan(&open);
    heap_freetuple(copy);
    table_close(rel, NoLock);
    return true;
  }
}

}  // namespace

bool position_cell_read(const PositionCellTable& t, CellKey key, Snapshot snapshot,
                        PositionCellForm& out) {
  PositionCellForm* o = &out;
  return pg_call([&] { return read_cell(t, key, snapshot, o); });
}

bool position_cell_overwrite(const PositionCellTable& t, const PositionCellForm& in) {
  const PositionCellForm* i = &in;
  return pg_call([&] { return overwrite_cell(t, i); });
}

int position_cell_read_all(const PositionCellTable& t, Snapshot snapshot, PositionCellForm** out) {
  return pg_call([&] { return read_all_cells(t, snapshot, out); });
}

}  // namespace pgqpp::ext
