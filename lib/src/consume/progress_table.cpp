// SPDX-License-Identifier: PostgreSQL
#include "consume/progress_table.hpp"

#include "pg/errors.hpp"
#include "pgqpp/connection.hpp"
#include "pgqpp/transaction.hpp"
#include "text/number.hpp"
#include "text/table_name.hpp"

namespace pgqpp::detail {

ProgressTable::ProgressTable(const std::string& name, std::string queue, std::string consumer)
    : queue_(std::move(queue)), consumer_(std::move(consumer)) {
  auto quoted = text::quoted_table_name(name);
  if (!quoted)
    throw_usage("progress_table '" + name +
                "' is not a table name of lower-case letters, digits and underscores "
                "(optionally schema-qualified)");
  table_ = *quoted;
}

void ProgressTable::ensure(Connection& target) const {
  // Look first: "create table if not exists" on an existing table makes the
  // server send a NOTICE, which libpq prints on every start.
  Rows found = target.exec("select to_regclass($1) is not null", {table_});
  if (found.value(0, 0) != "t")
    target.exec("create table if not exists " + table_ +
                " (queue_name text not null, consumer_name text not null,"
                " last_batch_id bigint, last_tick_id bigint,"
                " retry_ev_ids bigint[] not null default '{}',"
                " retry_seconds int4[] not null default '{}',"
                " updated_at timestamptz not null default now(),"
                " primary key (queue_name, consumer_name))");
  target.exec("insert into " + table_ +
                  " (queue_name, consumer_name) values ($1, $2) on conflict do nothing",
              {queue_, consumer_});
}

std::optional<std::int64_t> ProgressTable::lock(Transaction& tx) const {
  Rows rows = tx.exec("select last_batch_id from " + table_ +
                          " where queue_name = $1 and consumer_name = $2 for update",
                      {queue_, consumer_});
  if (rows.size() == 0) throw_usage("the progress row of consumer '" + consumer_ + "' is missing");
  auto v = rows.get(0, 0);
  if (!v) return std::nullopt;
  return text::parse_integer<std::int64_t>(*v);
}

std::vector<RetryTag> ProgressTable::retries(Transaction& tx) const {
  Rows rows = tx.exec("select u.id, u.s from " + table_ +
                          ", unnest(retry_ev_ids, retry_seconds) as u(id, s)"
                          " where queue_name = $1 and consumer_name = $2",
                      {queue_, consumer_});
  std::vector<RetryTag> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    RetryTag t;
    t.ev_id = text::parse_integer<std::int64_t>(rows.value(i, 0)).value_or(0);
    t.seconds = text::parse_integer<std::int32_t>(rows.value(i, 1)).value_or(0);
    out.push_back(std::move(t));
  }
  return out;
}

void ProgressTable::record(Transaction& tx, const BatchInfo& batch,
                           std::span<const RetryTag> retries) const {
  RetryArrays arrays = retry_arrays(retries);
  tx.exec("update " + table_ +
              " set last_batch_id = $3, last_tick_id = $4, retry_ev_ids = $5::int8[],"
              " retry_seconds = $6::int4[], updated_at = now()"
              " where queue_name = $1 and consumer_name = $2",
          {queue_, consumer_, batch.id, batch.tick_id, arrays.ids, arrays.seconds});
}

}  // namespace pgqpp::detail
