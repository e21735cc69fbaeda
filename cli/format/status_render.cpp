// SPDX-License-Identifier: PostgreSQL
// The table and JSON forms of a status snapshot (see status_render.hpp).
#include "status_render.hpp"

#include "duration_text.hpp"
#include "escape_text.hpp"
#include "text_table.hpp"

namespace pgqpp::cli {

namespace {

template <typename T>
nlohmann::json or_null(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::string id_text(const std::optional<std::int64_t>& id) {
  return id ? std::to_string(*id) : "-";
}

nlohmann::json queue_json(const QueueStatus& q) {
  return {
      {"name", q.name},
      {"events_per_second", or_null(q.events_per_second)},
      {"pending_events", q.pending_events},
      {"last_tick_id", or_null(q.last_tick_id)},
      {"last_tick_age_seconds", or_null(q.last_tick_age)},
      {"ticker_paused", q.ticker_paused},
      {"external_ticker", q.external_ticker},
      {"ticker_late", q.ticker_late},
      {"ticker",
       {{"max_count", q.ticker_max_count},
        {"max_lag_seconds", q.ticker_max_lag},
        {"idle_period_seconds", q.ticker_idle_period}}},
      {"rotation",
       {{"current_table", q.current_table},
        {"tables", q.tables},
        {"last_rotation_age_seconds", or_null(q.last_rotation_age)},
        {"period_seconds", q.rotation_period}}},
      {"delayed_pending", or_null(q.delayed_pending)},
      {"delayed_next_due_seconds", or_null(q.delayed_next_due)},
  };
}

nlohmann::json consumer_json(const ConsumerStatus& c) {
  return {
      {"queue", c.queue},
      {"name", c.name},
      {"lag_seconds", or_null(c.lag)},
      {"pending_events", or_null(c.pending_events)},
      {"last_seen_seconds", or_null(c.last_seen)},
      {"last_tick_id", or_null(c.last_tick_id)},
      {"open_batch_id", or_null(c.open_batch_id)},
      {"dead_letters", or_null(c.dead_letters)},
      {"max_batch_events", or_null(c.max_batch_events)},
      {"lagging", c.lagging},
  };
}

Cell queue_state(const QueueStatus& q) {
  if (q.ticker_late) return {"ticker late", Tone::red};
  if (q.ticker_paused) return {"paused", Tone::yellow};
  if (q.external_ticker) return {"external ticker", Tone::plain};
  return {"ok", Tone::green};
}

// "-" (unknown), "0", or "N next 2.0s" (the earliest due in 2 s; "due" once
// its time has come).
std::string delayed_text(const QueueStatus& q) {
  if (!q.delayed_pending) return "-";
  std::string text = std::to_string(*q.delayed_pending);
  if (*q.delayed_pending > 0 && q.delayed_next_due)
    text += *q.delayed_next_due > 0 ? " next " + duration_text(q.delayed_next_due) : " due";
  return text;
}

std::string queue_table(const StatusSnapshot& s, bool colour) {
  TextTable t({{"QUEUE"},
               {"EV/S", true},
               {"PENDING", true},
               {"DELAYED", true},
               {"LAST TICK", true},
               {"TICK ID", true},
               {"TABLE", true},
               {"ROTATED", true},
               {"ROTATION", true},
               {"STATE"}});
  for (const auto& q : s.queues) {
    t.add_row({{escape_controls(q.name)},
               {rate_text(q.events_per_second)},
               {std::to_string(q.pending_events)},
               {delayed_text(q)},
               {duration_text(q.last_tick_age), q.ticker_late ? Tone::red : Tone::plain},
               {id_text(q.last_tick_id)},
               {std::to_string(q.current_table) + "/" + std::to_string(q.tables)},
               {duration_text(q.last_rotation_age)},
               {duration_text(q.rotation_period)},
               queue_state(q)});
  }
  return t.render(colour);
}

std::string consumer_table(const StatusSnapshot& s, bool colour) {
  TextTable t({{"QUEUE"},
               {"CONSUMER"},
               {"LAG", true},
               {"PENDING", true},
               {"LAST SEEN", true},
               {"BATCH", true},
               {"DEAD", true},
               {"MAX BATCH", true},
               {"STATE"}});
  for (const auto& c : s.consumers) {
    const Tone tone = c.lagging ? Tone::red : Tone::plain;
    t.add_row({{escape_controls(c.queue)},
               {escape_controls(c.name)},
               {duration_text(c.lag), tone},
               {c.pending_events ? std::to_string(*c.pending_events) : "-", tone},
               {duration_text(c.last_seen)},
               {id_text(c.open_batch_id)},
               {c.dead_letters ? std::to_string(*c.dead_letters) : "-",
                c.dead_letters.value_or(0) > 0 ? Tone::yellow : Tone::plain},
               {c.max_batch_events ? std::to_string(*c.max_batch_events) : "-"},
               c.lagging ? Cell{"LAGGING", Tone::red} : Cell{"ok", Tone::green}});
  }
  return t.render(colour);
}

}  // namespace

nlohmann::json status_json(const StatusSnapshot& s) {
  nlohmann::json queues = nlohmann::json::array();
  for (const auto& q : s.queues) queues.push_back(queue_json(q));
  nlohmann::json consumers = nlohmann::json::array();
  for (const auto& c : s.consumers) consumers.push_back(consumer_json(c));
  return {
      {"format", status_json_format},
      {"database", s.database},
      {"time", s.server_time},
      {"lag_threshold_seconds", s.lag_threshold},
      {"queues", queues},
      {"consumers", consumers},
      {"subconsumers", subconsumers_json(s.subconsumers)},
      {"problems", s.problems},
  };
}

std::string status_table(const StatusSnapshot& s, bool colour) {
  const char* bold = colour ? tone_code(Tone::bold) : "";
  const char* reset = colour ? "\x1b[0m" : "";
  std::string out = std::string(bold) + "database " + escape_controls(s.database) + reset + "  " +
                    s.server_time + "  lag threshold " + duration_text(s.lag_threshold) + "\n\n";
  if (s.queues.empty()) {
    out += "no queues (create one with: pgqpp create-queue NAME)\n";
  } else {
    out += queue_table(s, colour) + "\n";
    if (s.consumers.empty())
      out += "no consumers (register one with: pgqpp register QUEUE CONSUMER)\n";
    else
      out += consumer_table(s, colour);
    if (!s.subconsumers.empty()) out += "\n" + subconsumer_table(s.subconsumers, colour);
  }
  if (!s.problems.empty()) {
    out += "\n";
    for (const auto& p : s.problems)
      out += std::string(colour ? tone_code(Tone::red) : "") + "problem: " + reset + p + "\n";
  }
  return out;
}

}  // namespace pgqpp::cli
