// SPDX-License-Identifier: PostgreSQL
// The problem rules of `pgqpp status` (see status_model.hpp).
#include "status_model.hpp"

#include <map>

#include "duration_text.hpp"
#include "escape_text.hpp"

namespace pgqpp::cli {

void evaluate_status(StatusSnapshot& snapshot) {
  snapshot.problems.clear();
  std::map<std::string, const QueueStatus*> by_name;
  for (auto& q : snapshot.queues) {
    by_name[q.name] = &q;
    q.ticker_late = !q.ticker_paused && !q.external_ticker && q.last_tick_age &&
                    *q.last_tick_age > q.ticker_idle_period + snapshot.lag_threshold;
    if (q.ticker_late)
      snapshot.problems.push_back(
          "queue " + escape_controls(q.name) + ": last tick " + duration_text(q.last_tick_age) +
          " ago, over its idle period plus the threshold (is the ticker running?)");
  }
  for (auto& c : snapshot.consumers) {
    const auto it = by_name.find(c.queue);
    const QueueStatus* q = it == by_name.end() ? nullptr : it->second;
    const bool behind =
        !q || !q->last_tick_id || !c.last_tick_id || *c.last_tick_id < *q->last_tick_id;
    c.lagging = behind && c.lag && *c.lag > snapshot.lag_threshold;
    if (c.lagging)
      snapshot.problems.push_back("consumer " + escape_controls(c.name) + " on queue " +
                                  escape_controls(c.queue) + ": lag " + duration_text(c.lag) +
                                  " over the threshold of " +
                                  duration_text(snapshot.lag_threshold) + ", " +
                                  std::to_string(c.pending_events.value_or(0)) + " events pending");
  }
}

}  // namespace pgqpp::cli
