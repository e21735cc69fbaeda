// SPDX-License-Identifier: PostgreSQL
// queue_detail (queue_detail.hpp).
#include "queue_detail.hpp"

#include "payload_preview.hpp"
#include "pgq_lookup.hpp"
#include "status_query.hpp"
#include "status_render.hpp"

namespace pgqpp::cli::web {

namespace {

constexpr std::size_t preview_bytes = 500;

// Retry events per consumer: all of them, and those due now.
constexpr const char* retries_sql =
    "select c.co_name, count(r.ev_id), count(r.ev_id) filter (where r.ev_retry_after <= now())"
    "  from pgq.queue q join pgq.subscription s on s.sub_queue = q.queue_id"
    "  join pgq.consumer c on c.co_id = s.sub_consumer"
    "  left join pgq.retry_queue r on r.ev_owner = s.sub_id"
    " where q.queue_name = $1 group by c.co_name order by c.co_name";

// null when the role may not read pgq.retry_queue (pgq_reader may not).
nlohmann::json retries(Connection& db, const std::string& queue) {
  if (db.exec("select has_table_privilege('pgq.retry_queue', 'select')").value(0, 0) != "t")
    return nullptr;
  nlohmann::json out = nlohmann::json::array();
  auto r = db.exec(retries_sql, {queue});
  for (std::size_t i = 0; i < r.size(); ++i)
    out.push_back({{"consumer", std::string(r.value(i, 0))},
                   {"events", std::stoll(std::string(r.value(i, 1)))},
                   {"due", std::stoll(std::string(r.value(i, 2)))}});
  return out;
}

nlohmann::json events(Connection& db, const std::string& queue, int limit) {
  // The event table's name comes from pgq.queue (written by create_queue),
  // found by the queue name as a parameter; ::regclass::text quotes it.
  auto t = db.exec("select queue_data_pfx::regclass::text from pgq.queue where queue_name = $1",
                   {queue});
  nlohmann::json out = nlohmann::json::array();
  if (t.size() == 0) return out;
  auto r = db.exec(
      "select ev_id, to_char(ev_time at time zone 'UTC', "
      "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), ev_txid, ev_retry, ev_type, ev_data, "
      "ev_extra1, ev_extra2, ev_extra3, ev_extra4 from " +
          std::string(t.value(0, 0)) + " order by ev_id desc limit $1",
      {limit});
  auto opt = [&](std::size_t row, int col) { return r.get(row, col); };
  auto num = [&](std::size_t row, int col) { return std::stoll(std::string(r.value(row, col))); };
  for (std::size_t i = 0; i < r.size(); ++i) {
    nlohmann::json e = {{"id", num(i, 0)},
                        {"time", std::string(r.value(i, 1))},
                        {"txid", num(i, 2)},
                        {"retry", r.get(i, 3) ? nlohmann::json(num(i, 3)) : nullptr},
                        {"type", payload_preview(opt(i, 4), preview_bytes)},
                        {"data", payload_preview(opt(i, 5), preview_bytes)}};
    for (int k = 1; k <= 4; ++k)
      e["extra" + std::to_string(k)] = payload_preview(opt(i, 5 + k), preview_bytes);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

nlohmann::json queue_detail(Connection& db, const std::string& queue, double lag_threshold,
                            int limit) {
  require_queue(db, queue);
  return {{"status", status_json(read_status(db, queue, lag_threshold))},
          {"retries", retries(db, queue)},
          {"events", events(db, queue, limit)}};
}

}  // namespace pgqpp::cli::web
