// SPDX-License-Identifier: PostgreSQL
// Subconsumers of a status snapshot (see status_coop_query.hpp).
#include "status_coop_query.hpp"

#include <algorithm>
#include <set>
#include <span>
#include <utility>

namespace pgqpp::cli {

namespace {

constexpr const char* subconsumer_sql =
    "select q.queue_name, m.co_name, substr(c.co_name, length(m.co_name) + 2),"
    "       extract(epoch from current_timestamp - s.sub_active), s.sub_batch,"
    "       s.sub_last_tick, s.sub_next_tick"
    "  from pgq.subscription s"
    "  join pgq.consumer c on c.co_id = s.sub_consumer"
    "  join pgq.queue q on q.queue_id = s.sub_queue"
    "  join pgq.subscription ms on ms.sub_queue = s.sub_queue and ms.sub_id = s.sub_id"
    "                          and ms.sub_consumer <> s.sub_consumer"
    "  join pgq.consumer m on m.co_id = ms.sub_consumer"
    " where left(c.co_name, length(m.co_name) + 1) = m.co_name || '.'"
    "   and ($1::text is null or q.queue_name = $1::text)"
    " order by 1, 2, 3";

std::optional<std::int64_t> opt_int(const Rows& rows, std::size_t row, int col) {
  auto v = rows.get(row, col);
  if (!v) return std::nullopt;
  return std::stoll(std::string(*v));
}

}  // namespace

void read_subconsumers(Transaction& tx, const Param& queue, StatusSnapshot& s) {
  auto r = tx.exec(subconsumer_sql, std::span<const Param>(&queue, 1));
  std::set<std::pair<std::string, std::string>> registrations;
  for (std::size_t i = 0; i < r.size(); ++i) {
    SubconsumerStatus sub;
    sub.queue = r.value(i, 0);
    sub.consumer = r.value(i, 1);
    sub.subconsumer = r.value(i, 2);
    auto seen = r.get(i, 3);
    if (seen) sub.last_seen = std::stod(std::string(*seen));
    sub.open_batch_id = opt_int(r, i, 4);
    sub.batch_start_tick = opt_int(r, i, 5);
    sub.batch_end_tick = opt_int(r, i, 6);
    registrations.emplace(sub.queue, sub.consumer + "." + sub.subconsumer);
    s.subconsumers.push_back(std::move(sub));
  }
  std::erase_if(s.consumers, [&](const ConsumerStatus& c) {
    return registrations.count({c.queue, c.name}) > 0;
  });
}

}  // namespace pgqpp::cli
