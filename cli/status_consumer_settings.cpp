// SPDX-License-Identifier: PostgreSQL
// The consumer settings of a status snapshot (see status_consumer_settings.hpp).
#include "status_consumer_settings.hpp"

#include <map>
#include <utility>

namespace pgqpp::cli {

void read_consumer_limits(Transaction& tx, StatusSnapshot& s) {
  if (tx.exec("select to_regclass('pgq.consumer_config') is null").value(0, 0) == "t") return;
  auto rows = tx.exec(
      "select q.queue_name, c.co_name, cc.cc_max_batch_events from pgq.consumer_config cc"
      "  join pgq.queue q on q.queue_id = cc.cc_queue"
      "  join pgq.consumer c on c.co_id = cc.cc_consumer"
      " where cc.cc_max_batch_events is not null");
  std::map<std::pair<std::string, std::string>, std::int64_t> limits;
  for (std::size_t i = 0; i < rows.size(); ++i)
    limits[{std::string(rows.value(i, 0)), std::string(rows.value(i, 1))}] =
        std::stoll(std::string(rows.value(i, 2)));
  for (auto& c : s.consumers) {
    auto it = limits.find({c.queue, c.name});
    if (it != limits.end()) c.max_batch_events = it->second;
  }
}

}  // namespace pgqpp::cli
