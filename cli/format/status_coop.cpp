// SPDX-License-Identifier: PostgreSQL
// Subconsumers in `pgqpp status` (see status_coop.hpp).
#include "status_coop.hpp"

#include "duration_text.hpp"
#include "escape_text.hpp"
#include "text_table.hpp"

namespace pgqpp::cli {

namespace {

template <typename T>
nlohmann::json or_null(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::string id_or_dash(const std::optional<std::int64_t>& id) {
  return id ? std::to_string(*id) : "-";
}

}  // namespace

nlohmann::json subconsumers_json(const std::vector<SubconsumerStatus>& subs) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : subs)
    out.push_back({
        {"queue", s.queue},
        {"consumer", s.consumer},
        {"subconsumer", s.subconsumer},
        {"last_seen_seconds", or_null(s.last_seen)},
        {"open_batch_id", or_null(s.open_batch_id)},
        {"batch_start_tick_id", or_null(s.batch_start_tick)},
        {"batch_end_tick_id", or_null(s.batch_end_tick)},
    });
  return out;
}

std::string subconsumer_table(const std::vector<SubconsumerStatus>& subs, bool colour) {
  if (subs.empty()) return "";
  TextTable t({{"QUEUE"},
               {"CONSUMER"},
               {"SUBCONSUMER"},
               {"LAST SEEN", true},
               {"BATCH", true},
               {"TICKS", true}});
  for (const auto& s : subs) {
    const std::string ticks =
        s.open_batch_id ? id_or_dash(s.batch_start_tick) + ".." + id_or_dash(s.batch_end_tick)
                        : "-";
    t.add_row({{escape_controls(s.queue)},
               {escape_controls(s.consumer)},
               {escape_controls(s.subconsumer)},
               {duration_text(s.last_seen)},
               {id_or_dash(s.open_batch_id)},
               {ticks}});
  }
  return t.render(colour);
}

}  // namespace pgqpp::cli
