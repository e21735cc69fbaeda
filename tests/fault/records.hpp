// SPDX-License-Identifier: PostgreSQL
// Reading back what the roles and the script recorded during a run.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace pgqpp::fault {

/// Sorted, distinct packed keys (see event_key.hpp).
using KeySet = std::vector<std::uint64_t>;

/// The producers' logs: every key used, by the outcome of its transaction.
struct ProducerRecords {
  KeySet committed;               ///< C: COMMIT answered
  KeySet rolled_back;             ///< R: rolled back on purpose
  KeySet lost;                    ///< L: connection lost before COMMIT was sent
  KeySet in_doubt;                ///< D: connection lost during COMMIT
  KeySet failed;                  ///< E: an SQL error rolled it back
  long long first_insert_ms = 0;  ///< earliest first insert over all producers
  long long last_commit_ms = 0;   ///< latest commit over all producers
};

/// Reads producer logs (lines "<verdict>\t<producer>\t<first>\t<last>").
ProducerRecords read_producer_logs(const std::vector<std::string>& paths);

/// One event as one consumer process received it.
struct Delivery {
  std::uint64_t key;
  std::int64_t batch;
  int incarnation;
  bool operator<(const Delivery& o) const {
    return key != o.key                   ? key < o.key
           : incarnation != o.incarnation ? incarnation < o.incarnation
                                          : batch < o.batch;
  }
};

/// A consumer's log (see consumer.cpp): its deliveries sorted by key, the
/// incarnations that saw each batch, and the texts that were no test key.
struct ConsumerRecords {
  std::vector<Delivery> deliveries;
  std::map<std::int64_t, std::set<int>> batch_incarnations;
  std::vector<std::string> bad_keys;
  long long last_batch_ms = 0;  ///< when the last non-empty batch was handled
};

/// Reads one consumer's log.
ConsumerRecords read_consumer_log(const std::string& path);

/// The script's fault log: lines "<role>\t<name>\t<incarnation>" for each
/// SIGKILL (role consumer, exactly-once or ticker) and "postgres\trestart\t-".
struct FaultRecords {
  std::map<std::string, int> kills_by_role;
  std::map<std::string, std::set<int>> killed_incarnations;  ///< per process name
  int postgres_restarts = 0;
};

/// Reads the fault log; a missing file means no faults.
FaultRecords read_fault_log(const std::string& path);

/// Keys of `a` that are not in `b`.
KeySet key_difference(const KeySet& a, const KeySet& b);
/// Keys in both.
KeySet key_intersection(const KeySet& a, const KeySet& b);
/// Sorts and removes repeats.
void normalize(KeySet& keys);

}  // namespace pgqpp::fault
