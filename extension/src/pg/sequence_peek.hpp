// SPDX-License-Identifier: PostgreSQL
// Reading a sequence's last_value without keeping a lock on it.
//
// pg_sequence_last_value() and `select last_value from seq` lock the
// sequence until the transaction ends. pgq.ticker() reads every queue's
// event sequence in one transaction, so with thousands of queues those
// locks alone exhaust the shared lock table (max_locks_per_transaction x
// backends; "out of shared memory" at 10,000 queues with the defaults). The
// value is not transactional anyway: nextval() changes it in place.
#pragma once

#include <optional>

#include "pg/postgres.hpp"

namespace pgqpp::ext {

/// Sequence `seq`'s last_value as its page holds it right now (what PgQ's
/// pgq.seq_getval() reads: the start value while nextval() was never
/// called). Takes AccessShareLock for the read only and releases it before
/// returning. Raises (through pg_call) when `seq` is not a sequence. Must be
/// called from a frame that may throw a PgError.
int64 sequence_last_value(Oid seq);

/// The same read for a sequence that may have been dropped since its OID
/// was read (a queue dropped by a transaction that committed meanwhile):
/// nothing when no relation has that OID any more.
std::optional<int64> sequence_last_value_if_exists(Oid seq);

}  // namespace pgqpp::ext
