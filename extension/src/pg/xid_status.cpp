// SPDX-License-Identifier: PostgreSQL
// What the server says of an xid8 kept as data: see xid_status.hpp.
#include "pg/xid_status.hpp"

#include "pg/bridge.hpp"
#include "pg/compat.hpp"

extern "C" {
#include "access/transam.h"
#include "access/xact.h"
#include "storage/lwlock.h"
#include "storage/procarray.h"
#include "utils/snapmgr.h"
}

namespace pgqpp::ext {
namespace {

// The functions below own nothing with a destructor: an error may longjmp
// through them (the public functions call them through pg_call).

// Takes XactTruncationLock (shared) and checks that the commit log still
// covers `full`; the caller looks the status up and then releases the lock,
// so that the log cannot be truncated in between.
TransactionId lock_covered(FullTransactionId full) {
  FullTransactionId next = ReadNextFullTransactionId();
  if (!FullTransactionIdPrecedes(full, next))
    elog(ERROR, "position cell names transaction %llu, which has not started yet",
         static_cast<unsigned long long>(U64FromFullTransactionId(full)));
  TransactionId xid = XidFromFullTransactionId(full);
  LWLockAcquire(XactTruncationLock, LW_SHARED);
  // More than 2^31 back, the 32-bit comparison below would wrap.
  if (U64FromFullTransactionId(next) - U64FromFullTransactionId(full) >= (1U << 31) ||
      TransactionIdPrecedes(xid, compat::oldest_clog_xid())) {
    LWLockRelease(XactTruncationLock);
    ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                    errmsg("a consumer's position cell names transaction %llu, whose outcome the "
                           "commit log no longer holds",
                           static_cast<unsigned long long>(U64FromFullTransactionId(full))),
                    errhint("pgq.maint_operations() settles cells before this can happen; run it "
                            "regularly (the ticker does).")));
  }
  return xid;
}

int status_of(std::uint64_t xid8) {
  FullTransactionId full = FullTransactionIdFromU64(xid8);
  if (TransactionIdIsCurrentTransactionId(XidFromFullTransactionId(full)))
    return static_cast<int>(core::XidStatus::current);
  TransactionId xid = lock_covered(full);
  core::XidStatus st = TransactionIdIsInProgress(xid) ? core::XidStatus::running
                       : TransactionIdDidCommit(xid)  ? core::XidStatus::committed
                                                      : core::XidStatus::aborted;
  LWLockRelease(XactTruncationLock);
  return static_cast<int>(st);
}

bool visible_in(std::uint64_t xid8, Snapshot snapshot) {
  FullTransactionId full = FullTransactionIdFromU64(xid8);
  if (TransactionIdIsCurrentTransactionId(XidFromFullTransactionId(full))) return true;
  TransactionId xid = lock_covered(full);
  // Running when the snapshot was taken: not seen, whatever happened since.
  bool seen = !XidInMVCCSnapshot(xid, snapshot) && TransactionIdDidCommit(xid);
  LWLockRelease(XactTruncationLock);
  return seen;
}

}  // namespace

core::XidStatus xid8_status(std::uint64_t xid8) {
  return static_cast<core::XidStatus>(pg_call([&] { return status_of(xid8); }));
}

bool xid8_visible(std::uint64_t xid8, Snapshot snapshot) {
  return pg_call([&] { return visible_in(xid8, snapshot); });
}

bool xid8_settled(Oid rel, std::uint64_t xid8) {
  return pg_call([&] {
    Relation r = table_open(rel, NoLock);
    FullTransactionId full = FullTransactionIdFromU64(xid8);
    // The cached test is sure when it says removable, but may lag just
    // after a hold ends; then the horizon computed now decides.
    bool passed = GlobalVisCheckRemovableFullXid(r, full);
    if (!passed) {
      TransactionId oldest = GetOldestNonRemovableTransactionId(r);
      FullTransactionId next = ReadNextFullTransactionId();
      uint64 horizon = U64FromFullTransactionId(next) -
                       static_cast<uint32>(XidFromFullTransactionId(next) - oldest);
      passed = xid8 < horizon;
    }
    table_close(r, NoLock);
    return passed;
  });
}

std::uint64_t current_xid8() {
  return pg_call([] { return U64FromFullTransactionId(GetCurrentFullTransactionId()); });
}

}  // namespace pgqpp::ext
