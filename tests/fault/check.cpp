// SPDX-License-Identifier: PostgreSQL
// Role `check`: the verdict over one run, event by event.
//
// Ground truth: with --truth-table, the keys in that table of the queue's
// database (each producer transaction wrote its keys there along with its
// events, so the table holds exactly the committed ones, crashes or not);
// without it (the load run, no faults), the keys of the transactions whose
// COMMIT was answered. Checked:
//   - the producers' own records agree with the truth (an answered COMMIT is
//     in the table; a rollback, a lost or failed transaction is not);
//   - every consumer (--consumer NAME=LOG) received every committed event,
//     and none that was not committed;
//   - a consumer received an event twice only as part of one batch delivered
//     again to a new process after the previous one was killed (--faults);
//   - the exactly-once target (--exactly-once TABLE, in --target-conninfo)
//     holds every committed event exactly once and nothing else.
// Prints the counts, then one FAIL line per broken rule naming the first
// offending keys and the seed; exits 1 when any rule broke.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <pgqpp/pgqpp.hpp>

#include "duplicates.hpp"
#include "event_key.hpp"
#include "records.hpp"
#include "roles.hpp"

namespace pgqpp::fault {
namespace {

constexpr std::size_t kShown = 5;  // offending keys named per failure

class Verdict {
 public:
  explicit Verdict(std::string seed) : seed_(std::move(seed)) {}
  /// Records a broken rule when `keys` is not empty: "<what>: k1, k2, ... (N in all)".
  void fail_keys(const std::string& what, const KeySet& keys) {
    if (keys.empty()) return;
    std::string list;
    for (std::size_t i = 0; i < keys.size() && i < kShown; ++i)
      list += (i ? ", " : "") + key_text(keys[i]);
    fail(what + ": " + list + (keys.size() > kShown ? ", ..." : "") + " (" +
         std::to_string(keys.size()) + " in all)");
  }
  void fail(const std::string& message) {
    std::printf("FAIL (seed %s): %s\n", seed_.c_str(), message.c_str());
    ++failures_;
  }
  int failures() const { return failures_; }

 private:
  std::string seed_;
  int failures_ = 0;
};

KeySet read_truth(Connection& db, const std::string& table) {
  Rows rows = db.exec("select key from " + table);
  KeySet keys;
  keys.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto key = pack_key(rows.value(i, 0));
    if (!key)
      throw std::runtime_error(table + " holds '" + std::string(rows.value(i, 0)) + "', not a key");
    keys.push_back(*key);
  }
  normalize(keys);
  return keys;
}

// The producers' records must agree with the truth table.
void check_producers(const ProducerRecords& p, const KeySet& truth, Verdict& v) {
  v.fail_keys("answered COMMIT but missing from the truth table",
              key_difference(p.committed, truth));
  v.fail_keys("rolled back on purpose yet committed", key_intersection(p.rolled_back, truth));
  v.fail_keys("lost before COMMIT yet committed", key_intersection(p.lost, truth));
  v.fail_keys("failed with an SQL error yet committed", key_intersection(p.failed, truth));
  KeySet known = p.committed;
  known.insert(known.end(), p.in_doubt.begin(), p.in_doubt.end());
  normalize(known);
  v.fail_keys("in the truth table but never committed by a producer", key_difference(truth, known));
}

void check_consumer(const std::string& name, const std::string& path, const KeySet& committed,
                    const FaultRecords& faults, Verdict& v) {
  ConsumerRecords r = read_consumer_log(path);
  if (!r.bad_keys.empty())
    v.fail(name + " received an event that is no test event: '" + r.bad_keys.front() + "'");
  KeySet seen;
  seen.reserve(r.deliveries.size());
  for (const Delivery& d : r.deliveries) seen.push_back(d.key);
  normalize(seen);
  v.fail_keys(name + " never received committed events", key_difference(committed, seen));
  v.fail_keys(name + " received events that were not committed", key_difference(seen, committed));
  auto killed_it = faults.killed_incarnations.find(name);
  static const std::set<int> none;
  Duplicates dup = find_duplicates(
      r.deliveries, killed_it == faults.killed_incarnations.end() ? none : killed_it->second);
  v.fail_keys(name + " received events in two different batches", dup.other_batch);
  v.fail_keys(name + " received events twice in one process", dup.same_process);
  v.fail_keys(name + " received events again though the process that had them was not killed",
              dup.not_killed);
  std::size_t redelivered = 0;
  std::set<int> incarnations;
  for (const auto& [batch, incs] : r.batch_incarnations) {
    redelivered += incs.size() > 1;
    incarnations.insert(incs.begin(), incs.end());
  }
  std::printf(
      "consumer %s: received %zu, distinct %zu, duplicates %lld, re-delivered batches %zu, "
      "processes %zu\n",
      name.c_str(), r.deliveries.size(), seen.size(), static_cast<long long>(dup.extra),
      redelivered, incarnations.size());
}

void check_exactly_once(Connection& target, const std::string& table, const KeySet& committed,
                        Verdict& v) {
  Rows rows = target.exec("select key, count(*) from " + table + " group by key");
  KeySet once, twice;
  std::int64_t total = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto key = pack_key(rows.value(i, 0));
    if (!key) {
      v.fail("exactly-once target " + table + " holds '" + std::string(rows.value(i, 0)) +
             "', no test event");
      continue;
    }
    std::int64_t n = std::stoll(std::string(rows.value(i, 1)));
    total += n;
    (n == 1 ? once : twice).push_back(*key);
  }
  normalize(once), normalize(twice);
  KeySet all = once;
  all.insert(all.end(), twice.begin(), twice.end());
  normalize(all);
  v.fail_keys("exactly-once target misses committed events", key_difference(committed, all));
  v.fail_keys("exactly-once target holds events that were not committed",
              key_difference(all, committed));
  v.fail_keys("exactly-once target holds events more than once", twice);
  std::printf("exactly-once target %s: %lld rows, %zu distinct events, %zu more than once\n",
              table.c_str(), static_cast<long long>(total), all.size(), twice.size());
}

// "NAME=VALUE" split at the first '='.
std::pair<std::string, std::string> name_value(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos) throw std::runtime_error("expected NAME=VALUE, got '" + text + "'");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

}  // namespace

int run_check(const Args& args) {
  Verdict v(args.text("seed", "-"));
  ProducerRecords p = read_producer_logs(args.all("producer-log"));
  FaultRecords faults = read_fault_log(args.text("faults", "/dev/null"));
  std::string truth_table = args.text("truth-table", "");
  KeySet committed = p.committed;
  if (!truth_table.empty()) {
    Connection db(args.text("conninfo"));
    committed = read_truth(db, truth_table);
    check_producers(p, committed, v);
  }
  KeySet in_doubt_committed = key_intersection(p.in_doubt, committed);
  std::size_t rolled_back = p.rolled_back.size() + p.lost.size() + p.failed.size() +
                            (p.in_doubt.size() - in_doubt_committed.size());
  std::printf(
      "committed %zu events; rolled back %zu (on purpose %zu, lost with the connection %zu, SQL "
      "errors %zu, "
      "in doubt and not committed %zu); in doubt and committed %zu\n",
      committed.size(), rolled_back, p.rolled_back.size(), p.lost.size(), p.failed.size(),
      p.in_doubt.size() - in_doubt_committed.size(), in_doubt_committed.size());
  std::string kills;
  for (const auto& [role, n] : faults.kills_by_role) kills += " " + role + " " + std::to_string(n);
  std::printf("kills:%s; postgres restarts: %d\n", kills.empty() ? " none" : kills.c_str(),
              faults.postgres_restarts);
  if (committed.empty()) v.fail("no event was committed: the run proves nothing");
  for (const std::string& spec : args.all("consumer")) {
    auto [name, path] = name_value(spec);
    check_consumer(name, path, committed, faults, v);
  }
  std::string eo_table = args.text("exactly-once", "");
  if (!eo_table.empty()) {
    Connection target(args.text("target-conninfo"));
    check_exactly_once(target, eo_table, committed, v);
  }
  if (v.failures()) {
    std::printf("FAIL (seed %s): %d rule(s) broken; rerun with FAULT_SEED=%s\n",
                args.text("seed", "-").c_str(), v.failures(), args.text("seed", "-").c_str());
    return 1;
  }
  std::printf(
      "ok: every committed event reached every consumer, no rolled-back one did, duplicates only "
      "in "
      "batches re-delivered after a kill, the exactly-once target holds each event once\n");
  return 0;
}

}  // namespace pgqpp::fault
