// SPDX-License-Identifier: PostgreSQL
//
// The one place where PostgreSQL's major versions differ for pgqpp.
//
// Every server API whose name, signature or home changed between the
// supported majors (15, 16, 17, 18) gets one inline wrapper here, chosen by
// PG_VERSION_NUM as PostgreSQL's own code does; the rest of the extension
// calls the wrapper and never tests the version itself. 15, 17 and 18 are
// built and tested; 16 takes the same branches as 17 where its API changed
// in 16, so it compiles, but it is not tested (docs/install.md).
#pragma once

#include "pg/postgres.hpp"

extern "C" {
#include "access/transam.h"
#include "catalog/pg_proc.h"
#include "storage/proc.h"
#include "utils/wait_event.h"
}

namespace pgqpp::ext::compat {

/// The number of a PGPROC in ProcGlobal->allProcs (a field until 16, a
/// computed value since 17).
inline uint32 proc_number(const PGPROC* proc) {
#if PG_VERSION_NUM >= 170000
  return static_cast<uint32>(GetNumberFromPGProc(proc));
#else
  return static_cast<uint32>(proc->pgprocno);
#endif
}

/// The local transaction id of this backend's current transaction (moved
/// into PGPROC.vxid in 17).
inline LocalTransactionId my_local_xid() {
#if PG_VERSION_NUM >= 170000
  return MyProc->vxid.lxid;
#else
  return MyProc->lxid;
#endif
}

/// Inserts the index entries of a freshly inserted heap tuple, as a plain
/// INSERT without ON CONFLICT does (16 added the onlySummarizing argument).
inline List* insert_index_tuples(ResultRelInfo* rel, TupleTableSlot* slot, EState* estate) {
#if PG_VERSION_NUM >= 160000
  return ExecInsertIndexTuples(rel, slot, estate, false, false, nullptr, NIL, false);
#else
  return ExecInsertIndexTuples(rel, slot, estate, false, false, nullptr, NIL);
#endif
}

/// Splits "schema.name" into a name list; raises on bad syntax (16 added
/// the soft-error context, which pgqpp does not use).
inline List* qualified_name_list(const char* name) {
#if PG_VERSION_NUM >= 160000
  return stringToQualifiedNameList(name, nullptr);
#else
  return stringToQualifiedNameList(name);
#endif
}

/// Whether `role` may execute function `fn` (16 replaced the per-kind
/// aclcheck functions by object_aclcheck).
inline AclResult function_aclcheck(Oid fn, Oid role) {
#if PG_VERSION_NUM >= 160000
  return object_aclcheck(ProcedureRelationId, fn, role, ACL_EXECUTE);
#else
  return pg_proc_aclcheck(fn, role, ACL_EXECUTE);
#endif
}

/// The OID of the relation's primary key index, deferrable or not (as
/// PgQ's triggers find it); InvalidOid when it has none. 18 added the
/// deferrable_ok argument; before it deferrable keys were returned too.
inline Oid primary_key_index(Relation rel) {
#if PG_VERSION_NUM >= 180000
  return RelationGetPrimaryKeyIndex(rel, true);
#else
  return RelationGetPrimaryKeyIndex(rel);
#endif
}

/// The wait event a backend shows in pg_stat_activity while it sleeps in
/// pgqpp: its own name since 17 (custom wait events), "Extension" before.
/// Since 17 it may raise an error (too many custom wait events).
inline uint32 extension_wait_event(const char* name) {
#if PG_VERSION_NUM >= 170000
  return WaitEventExtensionNew(name);
#else
  (void)name;
  return PG_WAIT_EXTENSION;
#endif
}

/// The oldest xid whose status the commit log still holds (the shared
/// transaction counters were renamed to TransamVariables in 17). Read under
/// XactTruncationLock, as the caller holds it.
inline TransactionId oldest_clog_xid() {
#if PG_VERSION_NUM >= 170000
  return TransamVariables->oldestClogXid;
#else
  return ShmemVariableCache->oldestClogXid;
#endif
}

}  // namespace pgqpp::ext::compat
