// Producers' queue settings: see insert_checks.hpp.
#include "functions/insert_checks.hpp"

#include <string>
#include <unordered_map>

#include "pg/bridge.hpp"

extern "C" {
#include "pg/compat.hpp"
#include "storage/proc.h"
}

namespace pgqpp::ext {
namespace {

// Events inserted per queue by the current transaction, for
// queue_per_tx_limit. Reset whenever a new transaction starts inserting.
LocalTransactionId counted_lxid = InvalidLocalTransactionId;
std::unordered_map<int32, int64> events_this_tx;

}  // namespace

void check_insert_allowed(const QueueInfo& q, const char* queue_name, int64 count) {
  if (q.disable_insert && SessionReplicationRole != SESSION_REPLICATION_ROLE_REPLICA)
    throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, "Insert into queue disallowed",
                std::string("Queue \"") + queue_name + "\" has queue_disable_insert set.");
  if (q.per_tx_limit < 0) return;
  if (counted_lxid != compat::my_local_xid()) {
    events_this_tx.clear();
    counted_lxid = compat::my_local_xid();
  }
  int64& used = events_this_tx[q.queue_id];
  if (used + count > q.per_tx_limit)
    throw Error(ERRCODE_PROGRAM_LIMIT_EXCEEDED,
                std::string("Queue '") + queue_name + "' allows max " +
                    std::to_string(q.per_tx_limit) + " events from one TX");
  used += count;
}

}  // namespace pgqpp::ext
