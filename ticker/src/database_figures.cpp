// SPDX-License-Identifier: PostgreSQL
// One database's queue and consumer figures for the metrics endpoint: their
// refresh on the database's connection and their samples. See database.hpp.
#include <cstdio>
#include <sstream>

#include "database.hpp"
#include "metrics.hpp"

namespace pgqpp::ticker {

namespace {

// How often the figures are refreshed (a scrape never waits for one).
constexpr double kFiguresPeriod = 2;

double real(const Result& r, int row, int col) {
  return r.is_null(row, col) ? 0 : std::atof(r.text(row, col).c_str());
}

}  // namespace

void DatabaseWorker::refresh_figures() {
  // Works with pgqpp and with PgQ 3.5: only PgQ's status functions. The
  // consumers are read only after the queues: a refresh fails or succeeds whole.
  const std::string sql =
      "select i.queue_name, extract(epoch from i.ticker_lag), i.ev_per_sec, i.ev_new,"
      "       i.last_tick_id, pgq.seq_getval(q.queue_event_seq),"
      "       to_regclass('pgq.dead_letter') is not null,"
      "       to_regprocedure('pgq.get_delayed_info(text)') is not null"
      "  from pgq.get_queue_info() i join pgq.queue q on q.queue_name = i.queue_name";
  session_.run(
      sql, {},
      [this](const Result& r) {
        queues_.clear();
        // pgqpp 1.2 and later: count the consumers' dead letters too.
        dead_letters_known_ = r.rows() > 0 && r.text(0, 6) == "t";
        const bool delayed_known = r.rows() > 0 && r.text(0, 7) == "t";
        for (int i = 0; i < r.rows(); ++i) {
          QueueFigures f;
          f.name = r.text(i, 0);
          f.last_tick_age = real(r, i, 1);
          if (!r.is_null(i, 2)) f.ev_per_sec = real(r, i, 2);
          f.ev_new = r.is_null(i, 3) ? 0 : r.number(i, 3);
          f.last_tick_id = r.is_null(i, 4) ? 0 : r.number(i, 4);
          f.last_event_id = r.number(i, 5);
          queues_.push_back(f);
        }
        if (delayed_known)
          refresh_delayed();
        else
          refresh_consumers();
      },
      failed(figures_, kFiguresPeriod, sql));
}

void DatabaseWorker::refresh_delayed() {
  // pgqpp 1.3 and later: the delayed events waiting per queue.
  const std::string sql =
      "select queue_name, pending, extract(epoch from next_due - current_timestamp)"
      "  from pgq.get_delayed_info()";
  session_.run(
      sql, {},
      [this](const Result& r) {
        for (int i = 0; i < r.rows(); ++i)
          for (auto& q : queues_)
            if (q.name == r.text(i, 0)) {
              q.delayed_pending = r.number(i, 1);
              if (!r.is_null(i, 2)) q.delayed_next_due = real(r, i, 2);
            }
        refresh_consumers();
      },
      failed(figures_, kFiguresPeriod, sql));
}

void DatabaseWorker::refresh_consumers() {
  const std::string sql =
      dead_letters_known_
          ? "select i.queue_name, i.consumer_name, extract(epoch from i.lag),"
            "       extract(epoch from i.last_seen), i.pending_events,"
            "       (select count(*) from pgq.dead_letter d"
            "          join pgq.subscription s on s.sub_id = d.ev_owner"
            "          join pgq.queue q on q.queue_id = s.sub_queue"
            "          join pgq.consumer c on c.co_id = s.sub_consumer"
            "         where q.queue_name = i.queue_name and c.co_name = i.consumer_name)"
            "  from pgq.get_consumer_info() i"
          : "select queue_name, consumer_name, extract(epoch from lag),"
            "       extract(epoch from last_seen), pending_events, null"
            "  from pgq.get_consumer_info()";
  session_.run(
      sql, {},
      [this](const Result& r) {
        consumers_.clear();
        for (int i = 0; i < r.rows(); ++i) {
          ConsumerFigures f;
          f.queue = r.text(i, 0);
          f.consumer = r.text(i, 1);
          f.lag = real(r, i, 2);
          f.last_seen = real(r, i, 3);
          f.pending = r.is_null(i, 4) ? 0 : r.number(i, 4);
          if (!r.is_null(i, 5)) f.dead_letters = r.number(i, 5);
          consumers_.push_back(f);
        }
        refresh_consumer_settings();  // consumer_settings_figures.cpp
      },
      failed(figures_, kFiguresPeriod, sql));
}

void DatabaseWorker::add_metrics(MetricLines& out) const {
  if (!serving_) return;  // a database without PgQ is none of the daemon's business
  const std::string db = "db=\"" + label_value(name_) + "\"";
  auto add = [&](const char* metric, const std::string& labels, double value) {
    out[metric].push_back(std::string(metric) + "{" + labels + "} " + sample_value(value));
  };
  add("pgqpp_ticker_connection_up", db, session_.connected() ? 1 : 0);
  add("pgqpp_ticker_wakeup_active", db, wakeup_ == Wakeup::active ? 1 : 0);
  add("pgqpp_ticker_errors_total", db, static_cast<double>(stats_.errors));
  add("pgqpp_ticker_ticks_total", db + ",path=\"periodic\"", static_cast<double>(stats_.ticks));
  add("pgqpp_ticker_ticks_total", db + ",path=\"woken\"", static_cast<double>(stats_.woken_ticks));
  add("pgqpp_ticker_retries_moved_total", db, static_cast<double>(stats_.retries_moved));
  add("pgqpp_ticker_maint_operations_total", db, static_cast<double>(stats_.maint_ops));
  if (figures_at_)
    add("pgqpp_ticker_last_refresh_timestamp_seconds", db,
        std::chrono::duration<double>(figures_at_->time_since_epoch()).count());
  for (const auto& q : queues_) {
    std::string labels = db + ",queue=\"" + label_value(q.name) + "\"";
    add("pgqpp_queue_last_tick_age_seconds", labels, q.last_tick_age);
    add("pgqpp_queue_last_tick_id", labels, static_cast<double>(q.last_tick_id));
    add("pgqpp_queue_last_event_id", labels, static_cast<double>(q.last_event_id));
    add("pgqpp_queue_events_since_tick", labels, static_cast<double>(q.ev_new));
    if (q.ev_per_sec) add("pgqpp_queue_events_per_second", labels, *q.ev_per_sec);
    if (q.delayed_pending)
      add("pgqpp_queue_delayed_pending", labels, static_cast<double>(*q.delayed_pending));
    if (q.delayed_next_due)
      add("pgqpp_queue_delayed_next_due_seconds", labels, *q.delayed_next_due);
  }
  for (const auto& c : consumers_) {
    std::string labels =
        db + ",queue=\"" + label_value(c.queue) + "\",consumer=\"" + label_value(c.consumer) + "\"";
    add("pgqpp_consumer_lag_seconds", labels, c.lag);
    add("pgqpp_consumer_last_seen_seconds", labels, c.last_seen);
    add("pgqpp_consumer_pending_events", labels, static_cast<double>(c.pending));
    if (c.dead_letters)
      add("pgqpp_consumer_dead_letters", labels, static_cast<double>(*c.dead_letters));
    add_consumer_setting_metrics(c, labels, out);
  }
}

}  // namespace pgqpp::ticker
