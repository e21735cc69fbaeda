// SPDX-License-Identifier: PostgreSQL
// Reading a sequence's last_value without keeping a lock: see
// sequence_peek.hpp.
#include "pg/sequence_peek.hpp"

#include "pg/bridge.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/pg_class.h"
#include "commands/sequence.h"
#include "storage/bufmgr.h"
#include "utils/rel.h"
}

namespace pgqpp::ext {
namespace {

// The read itself; owns only PostgreSQL resources, so an error may longjmp
// through it. A sequence relation is one page holding one tuple (the layout
// sequence.c's read_seq_tuple reads, unchanged from 15 to 18).
int64 read_last_value(Oid seq) {
  Relation rel = relation_open(seq, AccessShareLock);
  if (rel->rd_rel->relkind != RELKIND_SEQUENCE)
    ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
                    errmsg("\"%s\" is not a sequence", RelationGetRelationName(rel))));
  Buffer buf = ReadBuffer(rel, 0);
  LockBuffer(buf, BUFFER_LOCK_SHARE);
  Page page = BufferGetPage(buf);
  ItemId item = PageGetItemId(page, FirstOffsetNumber);
  auto* tuple = reinterpret_cast<HeapTupleHeader>(PageGetItem(page, item));
  auto* data =
      reinterpret_cast<Form_pg_sequence_data>(reinterpret_cast<char*>(tuple) + tuple->t_hoff);
  int64 value = data->last_value;
  UnlockReleaseBuffer(buf);
  relation_close(rel, AccessShareLock);  // releases the lock: nothing else needs it
  return value;
}

}  // namespace

int64 sequence_last_value(Oid seq) {
  return pg_call([&] { return read_last_value(seq); });
}

}  // namespace pgqpp::ext
