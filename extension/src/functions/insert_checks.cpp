// SPDX-License-Identifier: PostgreSQL
// Producers' queue settings: see insert_checks.hpp.
#include "functions/insert_checks.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>

extern "C" {
#include "pg/compat.hpp"
#include "storage/proc.h"
}

namespace pgqpp::ext {
namespace {

// Events inserted per queue by the current transaction, for
// queue_per_tx_limit. Reset whenever a new transaction starts inserting.
// Like PgQ's counter it counts refused attempts too, and a rollback to a
// savepoint does not take events back.
LocalTransactionId counted_lxid = InvalidLocalTransactionId;
std::unordered_map<int32, int64> events_this_tx;

}  // namespace

std::optional<Error> insert_refusal(const QueueInfo& q, const char* queue_name, int64 count,
                                    int64* ids_used) {
  if (q.disable_insert && SessionReplicationRole != SESSION_REPLICATION_ROLE_REPLICA) {
    *ids_used = 1;
    return Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, "Insert into queue disallowed",
                 std::string("Queue \"") + queue_name + "\" has queue_disable_insert set.");
  }
  if (q.per_tx_limit < 0) return std::nullopt;
  if (counted_lxid != compat::my_local_xid()) {
    events_this_tx.clear();
    counted_lxid = compat::my_local_xid();
  }
  int64& used = events_this_tx[q.queue_id];
  int64 limit = q.per_tx_limit;
  if (used + count > limit) {
    // One by one, the events up to the limit would have gone in, and the
    // next one been refused after taking its id.
    *ids_used = std::max<int64>(limit - used, 0) + 1;
    used = std::max(used, limit) + 1;
    return Error(ERRCODE_PROGRAM_LIMIT_EXCEEDED, std::string("Queue '") + queue_name +
                                                     "' allows max " + std::to_string(limit) +
                                                     " events from one TX");
  }
  used += count;
  return std::nullopt;
}

void check_insert_allowed(const QueueInfo& q, const char* queue_name) {
  int64 ids_used = 0;
  if (std::optional<Error> refusal = insert_refusal(q, queue_name, 1, &ids_used)) throw *refusal;
}

}  // namespace pgqpp::ext
