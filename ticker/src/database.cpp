// SPDX-License-Identifier: PostgreSQL
// One database's ticks, retries and maintenance: see database.hpp.
#include "database.hpp"

#include <algorithm>
#include <sstream>

#include "metrics.hpp"

namespace pgqpp::ticker {

namespace {

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

// The daemon's commits (ticks, retry moves, rotation steps) do not wait for
// their WAL flush: a tick lost in a crash is simply not there, and whatever
// survives a crash only refers to ticks before it, because WAL is replayed
// as a prefix (a consumer's durable commit flushes the ticks it read). This
// takes a disk flush off every woken tick's latency.
constexpr const char* kAsyncCommit = "set synchronous_commit to off";

}  // namespace

DatabaseWorker::DatabaseWorker(std::string name, const Config& config, Log& log)
    : name_(std::move(name)), config_(config), log_(log) {
  session_.on_connected = [this] { on_connected(); };
  session_.on_sql_error = [this](const std::string& sql, const std::string&,
                                 const std::string& message) {
    ++stats_.errors;
    log_.error(name_, message + " (while running: " + sql + ")");
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
    } else if (sqlstate.rfind("57", 0) == 0 || sqlstate.rfind("08", 0) == 0) {
      // Shutdown or lost connection: the main connection reports it once.
      log_.debug(name_, "wake-up connection ended: " + message);
      waiter_.close();
    } else {
      ++stats_.errors;
      log_.error(name_, "wake-up wait failed: " + message);
      waiter_.close();  // tried again with the next connection
    }
  };
}

void DatabaseWorker::waiter_unavailable(const std::string& why) {
  if (wakeup_ != Wakeup::unavailable)
    log_.info(name_, "wake-up path unavailable (" + why + "); ticking every ticker_period instead");
  wakeup_ = Wakeup::unavailable;
  waiter_.close();
}

void DatabaseWorker::start_waiter() {
  if (wakeup_ == Wakeup::unavailable) return;
  std::string conninfo = conninfo_for(config_.base_connstr, name_, "pgqpp ticker (wake-up)");
  if (!waiter_.connect(conninfo)) waiter_unavailable(waiter_.error());
}

void DatabaseWorker::wait_once() {
  // Waits at most 1 s per call, so the wait never pins a snapshot for long.
  int min_interval_ms = static_cast<int>(config_.min_tick_interval * 1000 + 0.5);
  waiter_.run_prepared("pgqpp_wait", "select queue_name, tick_id from pgq.wakeup_ticker(1000, $1)",
                       {std::to_string(min_interval_ms)}, [this](const Result& r) {
                         if (wakeup_ == Wakeup::unknown)
                           log_.info(name_, "wake-up path active: ticking on commit");
                         wakeup_ = Wakeup::active;
                         stats_.woken_ticks += r.rows();
                         for (int i = 0; i < r.rows(); ++i)
                           log_.write(Level::debug, name_, "woken tick " + r.text(i, 1),
                                      r.text(i, 0));
                         wait_once();
                       });
}

void DatabaseWorker::on_waiter_io(Clock::time_point) {
  // A lost waiter connection is reopened on the next round; if the server
  // went away, the main connection reports it (once).
  if (!waiter_.on_ready()) log_.debug(name_, "wake-up connection lost: " + waiter_.error());
}

void DatabaseWorker::connect(Clock::time_point now) {
  std::string conninfo = conninfo_for(config_.base_connstr, name_, "pgqpp ticker");
  has_pgq_ = false;
  if (!session_.connect(conninfo)) connection_failed(now);
}

void DatabaseWorker::connection_failed(Clock::time_point now) {
  ++stats_.errors;
  ++failures_;
  if (!failing_) {
    log_.error(name_, "connection failed: " + session_.error() + "; retrying with backoff");
    failing_ = true;
  }
  next_connect_ = now + seconds(backoff_);
  backoff_ = std::min(backoff_ * 2, 30.0);
}

void DatabaseWorker::on_connected() {
  if (failing_) {
    log_.info(name_, "connected again after " + std::to_string(failures_) + " failed attempts");
    failing_ = false;
  }
  failures_ = 0;
  backoff_ = 1;
  session_.run(kAsyncCommit, {}, nullptr);
  // Is PgQ here (pgqpp's or the original)?
  session_.run(
      "select exists (select 1 from pg_catalog.pg_namespace where nspname = 'pgq'),"
      " (select extname || ' ' || extversion from pg_catalog.pg_extension"
      "   where extname in ('pgqpp', 'pgq') order by extname desc limit 1)",
      {}, [this](const Result& r) {
        has_pgq_ = r.text(0, 0) == "t";
        auto now = Clock::now();
        if (!has_pgq_) {
          if (!reported_no_pgq_)
            log_.debug(name_, "no pgq schema here; checking again every check_period");
          reported_no_pgq_ = true;
          session_.close();
          next_connect_ = now + seconds(config_.check_period);
          return;
        }
        reported_no_pgq_ = false;
        log_.info(name_, "serving " + (r.is_null(0, 1) ? std::string("pgq schema") : r.text(0, 1)));
        start_waiter();
        next_tick_ = next_retry_ = next_maint_ = now;
        next_stats_ = now + seconds(config_.stats_period);
      });
}

void DatabaseWorker::run_retry() {
  session_.run("select pgq.maint_retry_events()", {}, [this](const Result& r) {
    long long moved = r.number(0, 0);
    stats_.retries_moved += moved;
    if (moved > 0)
      run_retry();  // more may be due: keep going
    else
      next_retry_ = Clock::now() + seconds(config_.retry_period);
  });
}

void DatabaseWorker::schedule_maintenance() {
  session_.run("select func_name, func_arg from pgq.maint_operations()", {},
               [this](const Result& r) {
                 for (int i = 0; i < r.rows(); ++i) {
                   std::string func = r.text(i, 0);
                   bool has_arg = !r.is_null(i, 1);
                   std::string arg = has_arg ? r.text(i, 1) : "";
                   std::string sql;
                   std::vector<std::string> params;
                   if (func == "vacuum") {
                     // The table name comes from pgq.maint_tables_to_vacuum(): quote it.
                     session_.run(
                         "select quote_ident(split_part($1, '.', 1)) || '.' || "
                         "quote_ident(split_part($1, '.', 2))",
                         {arg}, [this](const Result& q) {
                           session_.run("vacuum " + q.text(0, 0), {},
                                        [this](const Result&) { ++stats_.maint_ops; });
                         });
                     continue;
                   }
                   // Each operation is its own statement, hence its own transaction:
                   // rotation step 1 and step 2 never share one.
                   sql = "select " + func + (has_arg ? "($1)" : "()");
                   if (has_arg) params.push_back(arg);
                   session_.run(sql, params, [this](const Result&) { ++stats_.maint_ops; });
                 }
                 next_maint_ = Clock::now() + seconds(config_.maint_period);
               });
}

void DatabaseWorker::on_time(Clock::time_point now) {
  if (session_.down()) {
    if (now >= next_connect_) connect(now);
    return;
  }
  if (!session_.idle() || !has_pgq_) return;
  if (waiter_.down() && wakeup_ != Wakeup::unavailable) start_waiter();
  if (now - session_.connected_at() > seconds(config_.connection_lifetime)) {
    log_.debug(name_, "renewing the connection (connection_lifetime)");
    session_.close();
    waiter_.close();
    next_connect_ = now;
    return;
  }
  if (now >= next_tick_) {
    session_.run("select pgq.ticker()", {}, [this](const Result& r) {
      stats_.ticks += r.number(0, 0);
      // Woken, queues with events are ticked on commit: the full ticker only
      // makes idle ticks and catches events that bypassed the wake-up.
      double period =
          wakeup_ == Wakeup::active ? config_.idle_ticker_period : config_.ticker_period;
      next_tick_ = Clock::now() + seconds(period);
    });
  }
  if (now >= next_retry_) run_retry();
  if (now >= next_maint_) schedule_maintenance();
  if (figures_enabled_ && now >= next_figures_) {
    next_figures_ = Clock::time_point::max();  // set again when the refresh completes
    refresh_figures();
  }
  if (now >= next_stats_) {
    log_.info(name_, "stats: ticks=" + std::to_string(stats_.ticks) +
                         " woken_ticks=" + std::to_string(stats_.woken_ticks) +
                         " retries_moved=" + std::to_string(stats_.retries_moved) +
                         " maint_ops=" + std::to_string(stats_.maint_ops) +
                         " errors=" + std::to_string(stats_.errors));
    next_stats_ = now + seconds(config_.stats_period);
  }
}

void DatabaseWorker::refresh_figures() {
  // Works with pgqpp and with PgQ 3.5: only PgQ's status functions.
  session_.run(
      "select i.queue_name, extract(epoch from i.ticker_lag), i.ev_per_sec, i.ev_new,"
      "       i.last_tick_id, pgq.seq_getval(q.queue_event_seq)"
      "  from pgq.get_queue_info() i join pgq.queue q on q.queue_name = i.queue_name",
      {}, [this](const Result& r) {
        queues_.clear();
        for (int i = 0; i < r.rows(); ++i) {
          QueueFigures f;
          f.name = r.text(i, 0);
          f.last_tick_age = r.is_null(i, 1) ? 0 : std::atof(r.text(i, 1).c_str());
          if (!r.is_null(i, 2)) f.ev_per_sec = std::atof(r.text(i, 2).c_str());
          f.ev_new = r.is_null(i, 3) ? 0 : r.number(i, 3);
          f.last_tick_id = r.is_null(i, 4) ? 0 : r.number(i, 4);
          f.events_total = r.number(i, 5);
          queues_.push_back(f);
        }
      });
  session_.run(
      "select queue_name, consumer_name, extract(epoch from lag), extract(epoch from last_seen),"
      "       pending_events from pgq.get_consumer_info()",
      {}, [this](const Result& r) {
        consumers_.clear();
        for (int i = 0; i < r.rows(); ++i) {
          ConsumerFigures f;
          f.queue = r.text(i, 0);
          f.consumer = r.text(i, 1);
          f.lag = r.is_null(i, 2) ? 0 : std::atof(r.text(i, 2).c_str());
          f.last_seen = r.is_null(i, 3) ? 0 : std::atof(r.text(i, 3).c_str());
          f.pending = r.is_null(i, 4) ? 0 : r.number(i, 4);
          consumers_.push_back(f);
        }
        next_figures_ = Clock::now() + std::chrono::seconds(2);
      });
}

void DatabaseWorker::add_metrics(MetricLines& out) const {
  const std::string db = "db=\"" + label_value(name_) + "\"";
  auto add = [&](const char* metric, const std::string& labels, double value) {
    std::ostringstream line;
    line << metric << "{" << labels << "} " << value;
    out[metric].push_back(line.str());
  };
  add("pgqpp_ticker_connection_up", db, session_.connected() ? 1 : 0);
  add("pgqpp_ticker_wakeup_active", db, wakeup_ == Wakeup::active ? 1 : 0);
  add("pgqpp_ticker_errors_total", db, static_cast<double>(stats_.errors));
  add("pgqpp_ticker_ticks_total", db + ",path=\"periodic\"", static_cast<double>(stats_.ticks));
  add("pgqpp_ticker_ticks_total", db + ",path=\"woken\"", static_cast<double>(stats_.woken_ticks));
  add("pgqpp_ticker_retries_moved_total", db, static_cast<double>(stats_.retries_moved));
  add("pgqpp_ticker_maint_operations_total", db, static_cast<double>(stats_.maint_ops));
  for (const auto& q : queues_) {
    std::string labels = db + ",queue=\"" + label_value(q.name) + "\"";
    add("pgqpp_queue_last_tick_age_seconds", labels, q.last_tick_age);
    add("pgqpp_queue_last_tick_id", labels, static_cast<double>(q.last_tick_id));
    add("pgqpp_queue_events_total", labels, static_cast<double>(q.events_total));
    add("pgqpp_queue_events_since_tick", labels, static_cast<double>(q.ev_new));
    if (q.ev_per_sec) add("pgqpp_queue_events_per_second", labels, *q.ev_per_sec);
  }
  for (const auto& c : consumers_) {
    std::string labels =
        db + ",queue=\"" + label_value(c.queue) + "\",consumer=\"" + label_value(c.consumer) + "\"";
    add("pgqpp_consumer_lag_seconds", labels, c.lag);
    add("pgqpp_consumer_last_seen_seconds", labels, c.last_seen);
    add("pgqpp_consumer_pending_events", labels, static_cast<double>(c.pending));
  }
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
  return std::min({next_tick_, next_retry_, next_maint_, next_stats_,
                   figures_enabled_ ? next_figures_ : Clock::time_point::max(),
                   session_.connected_at() + seconds(config_.connection_lifetime)});
}

}  // namespace pgqpp::ticker
