// SPDX-License-Identifier: PostgreSQL
// The consumers' settings for the metrics endpoint (max_batch_events, from
// pgq.consumer_config: pgqpp 1.2 and later), read after the consumer
// figures as the last step of a refresh, and their samples. See database.hpp.
#include <map>
#include <utility>

#include "database.hpp"
#include "metrics.hpp"

namespace pgqpp::ticker {

namespace {

// How often the figures are refreshed (as database_figures.cpp).
constexpr double kFiguresPeriod = 2;

}  // namespace

void DatabaseWorker::refresh_consumer_settings() {
  const std::string check = "select to_regclass('pgq.consumer_config') is not null";
  session_.run(
      check, {},
      [this](const Result& r) {
        if (r.rows() == 1 && r.text(0, 0) == "t") {
          read_consumer_settings();
        } else {
          max_batch_events_.clear();
          figures_at_ = std::chrono::system_clock::now();
          succeeded(figures_, kFiguresPeriod);
        }
      },
      failed(figures_, kFiguresPeriod, check));
}

void DatabaseWorker::read_consumer_settings() {
  const std::string sql =
      "select q.queue_name, c.co_name, cc.cc_max_batch_events from pgq.consumer_config cc"
      "  join pgq.queue q on q.queue_id = cc.cc_queue"
      "  join pgq.consumer c on c.co_id = cc.cc_consumer"
      " where cc.cc_max_batch_events is not null";
  session_.run(
      sql, {},
      [this](const Result& r) {
        // Replaced whole, so that a scrape between two refresh steps sees
        // the previous limits, never none.
        std::map<std::pair<std::string, std::string>, long long> limits;
        for (int i = 0; i < r.rows(); ++i) limits[{r.text(i, 0), r.text(i, 1)}] = r.number(i, 2);
        max_batch_events_ = std::move(limits);
        figures_at_ = std::chrono::system_clock::now();
        succeeded(figures_, kFiguresPeriod);
      },
      failed(figures_, kFiguresPeriod, sql));
}

void DatabaseWorker::add_consumer_setting_metrics(const ConsumerFigures& c,
                                                  const std::string& labels,
                                                  MetricLines& out) const {
  auto it = max_batch_events_.find({c.queue, c.consumer});
  if (it == max_batch_events_.end()) return;
  const char* metric = "pgqpp_consumer_max_batch_events";
  out[metric].push_back(std::string(metric) + "{" + labels + "} " +
                        sample_value(static_cast<double>(it->second)));
}

}  // namespace pgqpp::ticker
