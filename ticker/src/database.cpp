// SPDX-License-Identifier: PostgreSQL
// One database's ticks, retries and maintenance: see database.hpp.
#include "database.hpp"

#include <algorithm>

#include "txid_horizon.hpp"

namespace pgqpp::ticker {

namespace {

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

// A repeated error is logged again, with its count, at most this often.
constexpr auto kRepeatQuiet = std::chrono::seconds(60);

// The daemon's commits (ticks, retry moves, rotation steps) do not wait for
// their WAL flush: a tick lost in a crash is simply not there, and whatever
// survives a crash only refers to ticks before it, because WAL is replayed
// as a prefix (a consumer's durable commit flushes the ticks it read). This
// takes a disk flush off every woken tick's latency.
constexpr const char* kAsyncCommit = "set synchronous_commit to off";

// pgqpp's pgq.ticker() ticks at most 2 x max_locks_per_transaction queues a
// call, and never fewer than this (extension/src/functions/ticker.cpp,
// ticks_per_call; the SQL-only edition's the same). PgQ 3.5's has no cap:
// it ticks every due queue in one call.
constexpr long long kLeastTickCap = 16;
// ... at most this many calls in a row (128 ticks each by default).
constexpr int kTickCallsInARow = 100;

}  // namespace

DatabaseWorker::DatabaseWorker(std::string name, const Config& config, Log& log)
    : name_(std::move(name)), config_(config), log_(log) {
  session_.on_connected = [this] { on_connected(); };
  // Statements without a job of their own: the maintenance operations.
  session_.on_sql_error = [this](const std::string& sql, const std::string&,
                                 const std::string& message) {
    ++stats_.errors;
    FailureRun& run = statement_failures_[sql];
    if (run.failed(Clock::now(), message, kRepeatQuiet))
      log_.error(name_, with_count(message + " (while running: " + sql + ")", run.failures()));
  };
  waiter_.on_connected = [this] {
    waiter_.run(kAsyncCommit, {}, nullptr);
    wait_once();
  };
  waiter_.on_sql_error = [this](const std::string&, const std::string& sqlstate,
                                const std::string& message) {
    // 55000: pgqpp not preloaded; 42883: no such function (PgQ 3.5).
    if (sqlstate == "55000") {
      waiter_unavailable("pgqpp is not in shared_preload_libraries");
    } else if (sqlstate == "42883") {
      waiter_unavailable("no pgq.wakeup_ticker(): PgQ 3.5 or an older pgqpp");
    } else {
      // Shutdown or lost connection: the main connection reports it once.
      bool quiet = sqlstate.rfind("57", 0) == 0 || sqlstate.rfind("08", 0) == 0;
      waiter_failed(message, quiet);
    }
  };
}

void DatabaseWorker::waiter_unavailable(const std::string& why) {
  if (wakeup_ != Wakeup::unavailable)
    log_.info(name_, "wake-up path unavailable (" + why + "); ticking every ticker_period instead");
  wakeup_ = Wakeup::unavailable;
  waiter_.close();
}

void DatabaseWorker::waiter_failed(const std::string& message, bool quiet) {
  // The next connection waits for the backoff: never a reconnect loop.
  auto now = Clock::now();
  if (quiet) {
    log_.debug(name_, "wake-up connection ended: " + message);
    waiter_failures_.failed(now, message, kRepeatQuiet);
  } else {
    ++stats_.errors;
    if (waiter_failures_.failed(now, message, kRepeatQuiet))
      log_.error(name_, with_count("wake-up wait failed: " + message, waiter_failures_.failures()));
  }
  waiter_.close();
  next_waiter_ = now + waiter_failures_.next_try(Clock::duration::zero());
}

void DatabaseWorker::start_waiter(Clock::time_point now) {
  if (wakeup_ == Wakeup::unavailable || now < next_waiter_) return;
  std::string conninfo = conninfo_for(config_.base_connstr, name_, "pgqpp ticker (wake-up)");
  if (!waiter_.connect(conninfo)) waiter_unavailable(waiter_.error());
}

void DatabaseWorker::wait_once() {
  // Waits at most 1 s per call, so the wait never pins a snapshot for long.
  // The SQL-only edition's wait looks every max(interval, 10 ms); after a
  // quiet call it looks every sqlonly_idle_poll instead, when that is
  // longer, so that an idle database costs less (docs/managed.md). The
  // interval is also the spacing of ticks, which no queue ticked in the
  // quiet second is held to.
  constexpr double kServerPoll = 0.01;  // the edition's shortest look period
  const bool slow = sql_only_ && waiter_quiet_ && config_.sqlonly_idle_poll > kServerPoll;
  double interval = slow ? config_.sqlonly_idle_poll : config_.min_tick_interval;
  int interval_ms = static_cast<int>(interval * 1000 + 0.5);
  waiter_.run_prepared(
      "pgqpp_wait", "select queue_name, tick_id from pgq.wakeup_ticker(1000, $1)",
      {std::to_string(interval_ms)}, [this](const Result& r) {
        waiter_quiet_ = r.rows() == 0;
        if (wakeup_ == Wakeup::unknown)
          log_.info(name_, sql_only_ ? "wake-up path active: ticking on commit (SQL-only "
                                       "edition: the server reads the producers' change "
                                       "signals every 10 ms, or every sqlonly_idle_poll "
                                       "after a quiet second)"
                                     : "wake-up path active: ticking on commit");
        wakeup_ = Wakeup::active;
        if (long long n = waiter_failures_.succeeded(); n > 0)
          log_.info(name_, "wake-up wait works again after " + std::to_string(n) + " failures");
        stats_.woken_ticks += r.rows();
        for (int i = 0; i < r.rows(); ++i)
          log_.write(Level::debug, name_, "woken tick " + r.text(i, 1), r.text(i, 0));
        wait_once();
      });
}

void DatabaseWorker::on_waiter_io(Clock::time_point) {
  // If the server went away, the main connection reports it (once).
  if (!waiter_.on_ready()) waiter_failed("wake-up connection lost: " + waiter_.error(), true);
}

void DatabaseWorker::connect(Clock::time_point now) {
  std::string conninfo = conninfo_for(config_.base_connstr, name_, "pgqpp ticker");
  has_pgq_ = false;
  if (!session_.connect(conninfo)) connection_failed(now);
}

void DatabaseWorker::connection_failed(Clock::time_point now) {
  ++stats_.errors;
  // Figures of a database we cannot reach are not current: none is shown.
  queues_.clear();
  consumers_.clear();
  // One line per outage whatever the messages (refused, starting up, ...).
  if (connection_failures_.failed(now, "", kRepeatQuiet))
    log_.error(name_,
               with_count("connection failed: " + session_.error() + "; retrying with backoff",
                          connection_failures_.failures()));
  if (on_lost) on_lost();
  next_connect_ = now + connection_failures_.next_try(Clock::duration::zero());
}

void DatabaseWorker::on_connected() {
  if (long long n = connection_failures_.succeeded(); n > 0)
    log_.info(name_, "connected again after " + std::to_string(n) + " failed attempts");
  session_.run(kAsyncCommit, {}, nullptr);
  // Is PgQ here (pgqpp's, its SQL-only edition, or the original)? The
  // SQL-only edition (docs/managed.md) says so in the comment on schema pgq;
  // its pgq.wakeup_ticker polls instead of being woken by commits.
  session_.run(
      "select exists (select 1 from pg_catalog.pg_namespace where nspname = 'pgq'),"
      " coalesce((select extname || ' ' || extversion from pg_catalog.pg_extension"
      "   where extname in ('pgqpp', 'pgq') order by extname desc limit 1),"
      "  (select pg_catalog.split_part(d.description, ' (', 1)"
      "     from pg_catalog.pg_description d join pg_catalog.pg_namespace n on n.oid = d.objoid"
      "    where n.nspname = 'pgq' and d.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass"
      "      and d.description like 'pgqpp % SQL-only edition%')),"
      " pg_catalog.current_setting('max_locks_per_transaction')::bigint",
      {}, [this](const Result& r) { on_pgq_check(r); });
}

void DatabaseWorker::on_pgq_check(const Result& r) {
  has_pgq_ = false;
  serving_ = r.text(0, 0) == "t";
  auto now = Clock::now();
  if (!serving_) {
    // Said at the default level when the config names this database: a
    // mistake worth seeing; among all databases, a plain one is normal.
    if (!reported_no_pgq_)
      log_.write(config_.database_list.empty() ? Level::debug : Level::info, name_,
                 "no pgq schema here; checking again every check_period");
    reported_no_pgq_ = true;
    session_.close();
    next_connect_ = now + seconds(config_.check_period);
    return;
  }
  reported_no_pgq_ = false;
  std::string what = r.is_null(0, 1) ? std::string("pgq schema") : r.text(0, 1);
  sql_only_ = what.find("SQL-only edition") != std::string::npos;
  // A postmaster setting: fixed for as long as this connection lasts.
  tick_call_cap_ = std::max(kLeastTickCap, 2 * r.number(0, 2));
  // Ticks stored from a cluster further on (a restored dump) would make
  // every new event invisible: such a database is not served.
  session_.run(
      kTxidHorizonSql, {},
      [this, what](const Result& h) {
        std::optional<std::int64_t> tick_xmax;
        if (!h.is_null(0, 0)) tick_xmax = h.number(0, 0);
        if (auto problem = txid_horizon_problem(name_, tick_xmax, h.number(0, 1)))
          refuse(*problem);
        else
          start_serving(what);
      },
      [this, what](const std::string&, const std::string& message) {
        // No right to read pgq.tick, say: the check is skipped, not the database.
        log_.debug(name_, "transaction id check skipped: " + message);
        start_serving(what);
      });
}

void DatabaseWorker::refuse(const std::string& problem) {
  serving_ = false;
  // Once at the error level; the repeats every check_period only in debug.
  log_.write(reported_txid_behind_ ? Level::debug : Level::error, name_,
             problem + "; not ticking it (checking again every check_period)");
  reported_txid_behind_ = true;
  session_.close();
  next_connect_ = Clock::now() + seconds(config_.check_period);
}

void DatabaseWorker::start_serving(const std::string& what) {
  has_pgq_ = true;
  if (reported_txid_behind_) log_.info(name_, "transaction ids are past the ticks now");
  reported_txid_behind_ = false;
  auto now = Clock::now();
  log_.info(name_, "serving " + what);
  start_waiter(now);
  // Every job runs at once on a new connection, also one whose run was cut
  // by the connection's loss.
  tick_.next = retry_.next = maint_.next = figures_.next = now;
  next_stats_ = now + seconds(config_.stats_period);
}

void DatabaseWorker::succeeded(Periodic& job, double period) {
  if (long long n = job.failures.succeeded(); n > 0)
    log_.info(name_,
              std::string(job.what) + " works again after " + std::to_string(n) + " failures");
  job.next = Clock::now() + seconds(period);
}

Session::ErrorHandler DatabaseWorker::failed(Periodic& job, double period, const std::string& sql) {
  return [this, &job, period, sql](const std::string&, const std::string& message) {
    ++stats_.errors;
    auto now = Clock::now();
    if (job.failures.failed(now, message, kRepeatQuiet))
      log_.error(name_,
                 with_count(message + " (while running: " + sql + ")", job.failures.failures()));
    job.next = now + job.failures.next_try(seconds(period));
  };
}

void DatabaseWorker::run_tick(int in_a_row) {
  const std::string sql = "select pgq.ticker()";
  // Woken, queues with events are ticked on commit: the full ticker only
  // makes idle ticks and catches events that bypassed the wake-up.
  double period = wakeup_ == Wakeup::active ? config_.idle_ticker_period : config_.ticker_period;
  session_.run(
      sql, {},
      [this, period, in_a_row](const Result& r) {
        long long ticked = r.number(0, 0);
        stats_.ticks += ticked;
        // A call that ticked as many queues as the cap allows may have left
        // due ones (the idle ticks of thousands of queues, a minute apart by
        // default): call again at once, as run_retry does, rather than a
        // period later. One that ticked fewer ticked every due queue; a
        // second call would find none, and in the SQL-only edition it
        // would read every queue's sequence again for nothing.
        if (ticked >= tick_call_cap_ && in_a_row < kTickCallsInARow)
          run_tick(in_a_row + 1);
        else
          succeeded(tick_, period);
      },
      failed(tick_, period, sql));
}

void DatabaseWorker::run_retry() {
  const std::string sql = "select pgq.maint_retry_events()";
  session_.run(
      sql, {},
      [this](const Result& r) {
        long long moved = r.number(0, 0);
        stats_.retries_moved += moved;
        if (moved > 0)
          run_retry();  // more may be due: keep going
        else
          succeeded(retry_, config_.retry_period);
      },
      failed(retry_, config_.retry_period, sql));
}

void DatabaseWorker::schedule_maintenance() {
  const std::string sql = "select func_name, func_arg from pgq.maint_operations()";
  session_.run(
      sql, {}, [this](const Result& r) { run_maintenance(r); },
      failed(maint_, config_.maint_period, sql));
}

void DatabaseWorker::run_maintenance(const Result& r) {
  for (int i = 0; i < r.rows(); ++i) {
    std::string func = r.text(i, 0);
    bool has_arg = !r.is_null(i, 1);
    std::string arg = has_arg ? r.text(i, 1) : "";
    if (func == "vacuum") {
      // The table name comes from pgq.maint_tables_to_vacuum(): quote it.
      session_.run(
          "select quote_ident(split_part($1, '.', 1)) || '.' || "
          "quote_ident(split_part($1, '.', 2))",
          {arg}, [this](const Result& q) {
            std::string sql = "vacuum " + q.text(0, 0);
            session_.run(sql, {}, [this, sql](const Result&) { maint_op_done(sql); });
          });
      continue;
    }
    // Each operation is its own statement, hence its own transaction:
    // rotation step 1 and step 2 never share one.
    std::vector<std::string> params;
    if (has_arg) params.push_back(arg);
    std::string sql = "select " + func + (has_arg ? "($1)" : "()");
    session_.run(sql, params, [this, sql](const Result&) { maint_op_done(sql); });
  }
  succeeded(maint_, config_.maint_period);
}

void DatabaseWorker::maint_op_done(const std::string& sql) {
  ++stats_.maint_ops;
  auto failing = statement_failures_.find(sql);
  if (failing == statement_failures_.end()) return;
  log_.info(name_,
            sql + " works again after " + std::to_string(failing->second.failures()) + " failures");
  statement_failures_.erase(failing);
}

void DatabaseWorker::log_stats(Clock::time_point now) {
  log_.info(name_, "stats: ticks=" + std::to_string(stats_.ticks) +
                       " woken_ticks=" + std::to_string(stats_.woken_ticks) +
                       " retries_moved=" + std::to_string(stats_.retries_moved) +
                       " maint_ops=" + std::to_string(stats_.maint_ops) +
                       " errors=" + std::to_string(stats_.errors));
  next_stats_ = now + seconds(config_.stats_period);
}

void DatabaseWorker::on_time(Clock::time_point now) {
  if (session_.down()) {
    if (now >= next_connect_) connect(now);
    return;
  }
  if (!session_.idle() || !has_pgq_) return;
  if (waiter_.down()) start_waiter(now);
  if (now - session_.connected_at() > seconds(config_.connection_lifetime)) {
    log_.debug(name_, "renewing the connection (connection_lifetime)");
    session_.close();
    waiter_.close();
    next_connect_ = now;
    return;
  }
  if (now >= tick_.next) run_tick();
  if (now >= retry_.next) run_retry();
  if (now >= maint_.next) schedule_maintenance();
  if (figures_enabled_ && now >= figures_.next) refresh_figures();
  if (now >= next_stats_) log_stats(now);
}

void DatabaseWorker::on_io(Clock::time_point now) {
  if (!session_.on_ready()) {
    waiter_.close();
    connection_failed(now);
  }
}

Clock::time_point DatabaseWorker::next_deadline() const {
  if (session_.down()) return next_connect_;
  if (!session_.idle() || !has_pgq_) return Clock::time_point::max();
  bool waiter_due = waiter_.down() && wakeup_ != Wakeup::unavailable;
  return std::min({tick_.next, retry_.next, maint_.next, next_stats_,
                   figures_enabled_ ? figures_.next : Clock::time_point::max(),
                   waiter_due ? next_waiter_ : Clock::time_point::max(),
                   session_.connected_at() + seconds(config_.connection_lifetime)});
}

}  // namespace pgqpp::ticker
