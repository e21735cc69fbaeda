// SPDX-License-Identifier: PostgreSQL
// Direct event table writes: see event_writer.hpp. Every function here owns
// only PostgreSQL resources, so PostgreSQL errors may longjmp through it.
#include "functions/event_writer.hpp"

#include "pg/compat.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/transam.h"
#include "executor/executor.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
}

namespace pgqpp::ext {

void event_writer_open(EventWriter* w, Oid table, bool bulk) {
  // A failing check leaves no relation reference behind: event_writer_cache
  // opens writers with the top transaction's resource owner, which would
  // report a leak at commit.
  if (pg_class_aclcheck(table, GetUserId(), ACL_INSERT) != ACLCHECK_OK)
    aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, get_rel_name(table));
  w->rel = table_open(table, NoLock);
  if (RelationGetDescr(w->rel)->natts != kEventColumns) {
    char* name = pstrdup(RelationGetRelationName(w->rel));
    table_close(w->rel, NoLock);
    ereport(ERROR,
            (errcode(ERRCODE_DATA_CORRUPTED),
             errmsg("event table \"%s\" does not have the columns of pgq.event_template", name)));
  }
  w->estate = CreateExecutorState();
  w->result_rel = makeNode(ResultRelInfo);
  // Range table index 0: the relation is not in a range table (there is no
  // statement); a failing constraint then reports the row as COPY would.
  InitResultRelInfo(w->result_rel, w->rel, 0, nullptr, 0);
  ExecOpenIndices(w->result_rel, false);
  w->slot = MakeSingleTupleTableSlot(RelationGetDescr(w->rel), &TTSOpsVirtual);
  w->bulk = bulk ? GetBulkInsertState() : nullptr;
  w->cid = GetCurrentCommandId(true);
}

void event_writer_write(EventWriter* w, const EventRow* row) {
  TupleTableSlot* slot = w->slot;
  ExecClearTuple(slot);
  memcpy(slot->tts_values, row->values, sizeof(row->values));
  memcpy(slot->tts_isnull, row->nulls, sizeof(row->nulls));
  ExecStoreVirtualTuple(slot);
  // NOT NULL and CHECK constraints someone added to an event table hold here
  // as they would for a plain INSERT (PgQ itself adds none).
  if (w->rel->rd_att->constr != nullptr) ExecConstraints(w->result_rel, slot, w->estate);
  table_tuple_insert(w->rel, slot, w->cid, 0, w->bulk);
  if (w->result_rel->ri_NumIndices > 0) {
    List* recheck = compat::insert_index_tuples(w->result_rel, slot, w->estate);
    list_free(recheck);
    ResetPerTupleExprContext(w->estate);
  }
}

void event_writer_close(EventWriter* w) {
  if (w->bulk) FreeBulkInsertState(w->bulk);
  ExecDropSingleTupleTableSlot(w->slot);
  ExecCloseIndices(w->result_rel);
  FreeExecutorState(w->estate);
  table_close(w->rel, NoLock);
}

int64 next_event_id(Oid event_seq) { return nextval_internal(event_seq, false); }

int64 current_txid() {
  return static_cast<int64>(U64FromFullTransactionId(GetTopFullTransactionId()));
}

}  // namespace pgqpp::ext
