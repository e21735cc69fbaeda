// SPDX-License-Identifier: PostgreSQL
// Consumer settings on the server (see consumer_config.hpp).
#include "consumer_config.hpp"

#include "common.hpp"
#include "consumer_settings.hpp"
#include "user_input.hpp"

namespace pgqpp::cli {

void require_consumer_config(Connection& db) {
  if (db.exec("select to_regprocedure('pgq.set_consumer_config(text,text,text,text)') is null")
          .value(0, 0) == "t")
    throw Failure(
        "this server's PgQ has no consumer settings such as max_batch_events (pgqpp 1.2 or "
        "later: ALTER EXTENSION pgqpp UPDATE)");
}

void set_consumer_setting(Transaction& tx, const std::string& queue, const std::string& consumer,
                          const std::string& key, std::optional<std::int32_t> value) {
  const Param v = value ? Param(*value) : Param(nullptr);
  with_user_input(
      [&] {
        tx.exec("select pgq.set_consumer_config($1, $2, $3, $4)",
                {Param(queue), Param(consumer), Param(key), v});
      },
      "valid keys: " + valid_consumer_settings_text());
}

std::vector<std::optional<std::int32_t>> read_consumer_settings(Connection& db,
                                                                const std::string& queue,
                                                                const std::string& consumer) {
  Rows rows = db.exec("select key, value from pgq.get_consumer_config($1, $2)", {queue, consumer});
  std::vector<std::optional<std::int32_t>> values;
  for (const auto& s : consumer_settings()) {
    std::optional<std::int32_t> v;
    for (std::size_t i = 0; i < rows.size(); ++i)
      if (rows.value(i, 0) == s.key && rows.get(i, 1)) v = std::stoi(std::string(*rows.get(i, 1)));
    values.push_back(v);
  }
  return values;
}

}  // namespace pgqpp::cli
