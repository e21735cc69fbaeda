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
#include "storage/lmgr.h"
#include "utils/rel.h"
#include "utils/relcache.h"
}

namespace pgqpp::ext {
namespace {

// The read itself; owns only PostgreSQL resources, so an error may longjmp
// through it. A sequence relation is one page holding one tuple (the layout
// sequence.c's read_seq_tuple reads, unchanged from 15 to 18).
// `found` is false when `seq` no longer exists (only with `missing_ok`).
// Opened as relation_open() does, less its statistics entry (a peek is no
// scan) and with try_relation_open()'s missing_ok, less its extra catalog
// probe: the relation cache returns nothing for a relation that is gone.
// In a new session each probe is a catalog index scan, one per queue.
int64 read_last_value(Oid seq, bool missing_ok, bool* found) {
  LockRelationOid(seq, AccessShareLock);
  Relation rel = RelationIdGetRelation(seq);
  *found = rel != nullptr;
  if (rel == nullptr) {
    UnlockRelationOid(seq, AccessShareLock);
    if (!missing_ok) elog(ERROR, "could not open relation with OID %u", seq);
    return 0;
  }
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
  RelationClose(rel);
  UnlockRelationOid(seq, AccessShareLock);  // nothing else needs the lock
  return value;
}

}  // namespace

int64 sequence_last_value(Oid seq) {
  bool found = false;
  return pg_call([&] { return read_last_value(seq, false, &found); });
}

std::optional<int64> sequence_last_value_if_exists(Oid seq) {
  bool found = false;
  int64 value = pg_call([&] { return read_last_value(seq, true, &found); });
  if (!found) return std::nullopt;
  return value;
}

}  // namespace pgqpp::ext
