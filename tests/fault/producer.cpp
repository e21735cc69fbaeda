// SPDX-License-Identifier: PostgreSQL
// Role `produce`: one producer writing keyed events in transactions.
//
// Each transaction takes the next run of sequence numbers of this producer
// and inserts one event per number (ev_type "fault", ev_data the key
// "p<id>:<seq>"). With --truth-table it also inserts the same keys into that
// table in the same transaction, so after any crash "committed" is exactly
// "present in the table". Seeded choices per transaction: its size, whether
// it uses the bulk insert, how long it stays open (--hold-min-ms ..
// --hold-max-ms, spread over several inserts, so it spans many ticks), and
// whether it rolls back (--rollback-pct).
//
// Every transaction's outcome is appended to --log as one line
// "<verdict>\t<producer>\t<first seq>\t<last seq>":
//   C committed (COMMIT answered), R rolled back on purpose, L lost (the
//   connection broke before COMMIT was sent: not committed), D in doubt (the
//   connection broke during COMMIT: the truth table decides), E failed with
//   an SQL error (rolled back).
// At the end: "T\t<producer>\t<first insert epoch ms>\t<last commit epoch ms>".
//
// Runs for --seconds, or until --events events are committed (load run).
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <pgqpp/pgqpp.hpp>

#include "event_key.hpp"
#include "log_file.hpp"
#include "reconnect.hpp"
#include "rng.hpp"
#include "roles.hpp"

namespace pgqpp::fault {
namespace {

using Clock = std::chrono::steady_clock;

struct ProducerConfig {
  std::string conninfo, queue, truth_table;
  int id = 0;
  std::int64_t seconds = 0, events = 0;
  int min_tx = 1, max_tx = 20, rollback_pct = 0, bulk_pct = 50;
  int hold_min_ms = 0, hold_max_ms = 0, pause_max_ms = 0;
};

// One transaction's plan, drawn from the seeded generator before it starts.
struct TxPlan {
  std::int64_t first = 0, last = 0;
  bool rollback = false, bulk = false;
  int pieces = 1, hold_ms = 0;
};

class ProducerRun {
 public:
  ProducerRun(ProducerConfig config, std::uint64_t seed, const std::string& log_path)
      : c_(std::move(config)), rng_(seed, 100 + c_.id), log_(log_path) {}

  int run();

 private:
  bool more_to_do() const {
    if (c_.events > 0) return committed_ < c_.events;
    return Clock::now() < end_;
  }
  TxPlan plan_next();
  char run_transaction(Connection& db, Producer& producer, const TxPlan& plan);
  void insert_piece(Transaction& tx, Producer& producer, std::int64_t from, std::int64_t to,
                    bool bulk);
  void record(char verdict, const TxPlan& plan) {
    log_.append(std::string(1, verdict) + "\t" + std::to_string(c_.id) + "\t" +
                std::to_string(plan.first) + "\t" + std::to_string(plan.last) + "\n");
  }

  ProducerConfig c_;
  Rng rng_;
  LogFile log_;
  std::int64_t next_seq_ = 1, committed_ = 0;
  Clock::time_point end_;
  long long first_insert_ms_ = 0, last_commit_ms_ = 0;
  bool commit_sent_ = false;
};

TxPlan ProducerRun::plan_next() {
  TxPlan p;
  std::int64_t n = rng_.between(c_.min_tx, c_.max_tx);
  if (c_.events > 0) n = std::min(n, c_.events - committed_);
  p.first = next_seq_;
  p.last = next_seq_ + n - 1;
  next_seq_ += n;  // keys of a lost transaction are never used again
  p.rollback = rng_.percent(c_.rollback_pct);
  p.bulk = rng_.percent(c_.bulk_pct);
  p.hold_ms =
      c_.hold_max_ms > 0 ? static_cast<int>(rng_.between(c_.hold_min_ms, c_.hold_max_ms)) : 0;
  p.pieces = p.hold_ms > 0 ? static_cast<int>(std::min<std::int64_t>(n, rng_.between(2, 5))) : 1;
  return p;
}

void ProducerRun::insert_piece(Transaction& tx, Producer& producer, std::int64_t from,
                               std::int64_t to, bool bulk) {
  if (!c_.truth_table.empty()) {
    tx.exec("insert into " + c_.truth_table + " (key) select 'p" + std::to_string(c_.id) +
                ":' || g from generate_series($1::bigint, $2::bigint) g",
            {from, to});
  }
  std::vector<NewEvent> events;
  events.reserve(static_cast<std::size_t>(to - from + 1));
  for (std::int64_t s = from; s <= to; ++s)
    events.push_back({.type = "fault", .data = event_key(c_.id, s)});
  if (bulk) {
    producer.insert_many(tx, events);
  } else {
    for (const NewEvent& ev : events) producer.insert(tx, ev);
  }
  if (first_insert_ms_ == 0) first_insert_ms_ = epoch_ms();
}

// Runs one planned transaction and returns its verdict letter.
char ProducerRun::run_transaction(Connection& db, Producer& producer, const TxPlan& plan) {
  commit_sent_ = false;
  Transaction tx(db);
  std::int64_t n = plan.last - plan.first + 1;
  for (int i = 0; i < plan.pieces; ++i) {
    std::int64_t from = plan.first + n * i / plan.pieces,
                 to = plan.first + n * (i + 1) / plan.pieces - 1;
    if (to >= from) insert_piece(tx, producer, from, to, plan.bulk);
    if (plan.hold_ms > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(plan.hold_ms / plan.pieces));
  }
  if (plan.rollback) {
    tx.rollback();
    return 'R';
  }
  commit_sent_ = true;
  tx.commit();
  last_commit_ms_ = epoch_ms();
  committed_ += n;
  return 'C';
}

int ProducerRun::run() {
  end_ = Clock::now() + std::chrono::seconds(c_.seconds);
  auto give_up = [&] { return (c_.events > 0 ? Clock::now() : end_) + std::chrono::seconds(60); };
  std::optional<Connection> db;
  std::optional<Producer> producer;
  std::int64_t lost = 0, errors = 0;
  while (more_to_do()) {
    if (!db) {
      db.emplace(connect_with_retry(c_.conninfo, give_up()));
      producer.emplace(*db, c_.queue);
    }
    TxPlan plan = plan_next();
    char verdict;
    try {
      verdict = run_transaction(*db, *producer, plan);
    } catch (const connection_lost& e) {
      verdict = commit_sent_ ? 'D' : 'L';
      ++lost;
      producer.reset();
      db.reset();
    } catch (const sql_error& e) {
      std::fprintf(stderr, "producer %d: transaction %lld..%lld failed: %s (SQLSTATE %s)\n", c_.id,
                   static_cast<long long>(plan.first), static_cast<long long>(plan.last), e.what(),
                   e.sqlstate().c_str());
      verdict = 'E';
      ++errors;
      if (!e.connection_usable()) {
        producer.reset();
        db.reset();
      }
    }
    record(verdict, plan);
    if (c_.pause_max_ms > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(rng_.between(0, c_.pause_max_ms)));
  }
  log_.append("T\t" + std::to_string(c_.id) + "\t" + std::to_string(first_insert_ms_) + "\t" +
              std::to_string(last_commit_ms_) + "\n");
  std::printf(
      "producer %d: %lld events committed, %lld keys used, %lld transactions lost or in doubt, "
      "%lld failed\n",
      c_.id, static_cast<long long>(committed_), static_cast<long long>(next_seq_ - 1),
      static_cast<long long>(lost), static_cast<long long>(errors));
  return 0;
}

}  // namespace

int run_producer(const Args& args) {
  ProducerConfig c;
  c.conninfo = args.text("conninfo");
  c.queue = args.text("queue");
  c.truth_table = args.text("truth-table", "");
  c.id = static_cast<int>(args.integer("id"));
  c.seconds = args.integer("seconds", 0);
  c.events = args.integer("events", 0);
  if ((c.seconds > 0) == (c.events > 0))
    throw std::runtime_error("give exactly one of --seconds and --events");
  c.min_tx = static_cast<int>(args.integer("min-tx-events", 1));
  c.max_tx = static_cast<int>(args.integer("max-tx-events", 20));
  c.rollback_pct = static_cast<int>(args.integer("rollback-pct", 0));
  c.bulk_pct = static_cast<int>(args.integer("bulk-pct", 50));
  c.hold_min_ms = static_cast<int>(args.integer("hold-min-ms", 0));
  c.hold_max_ms = static_cast<int>(args.integer("hold-max-ms", 0));
  c.pause_max_ms = static_cast<int>(args.integer("pause-max-ms", 0));
  if (c.min_tx < 1 || c.max_tx < c.min_tx)
    throw std::runtime_error("need 1 <= --min-tx-events <= --max-tx-events");
  ProducerRun run(c, static_cast<std::uint64_t>(args.integer("seed")), args.text("log"));
  return run.run();
}

}  // namespace pgqpp::fault
