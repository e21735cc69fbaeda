// SPDX-License-Identifier: PostgreSQL
#include "pgqpp/producer.hpp"

#include <algorithm>

#include "pg/conn.hpp"
#include "pg/errors.hpp"
#include "pgqpp/connection.hpp"
#include "pgqpp/transaction.hpp"
#include "queue_sql.hpp"
#include "server_api.hpp"
#include "text/array_literal.hpp"
#include "text/number.hpp"

namespace pgqpp {

namespace {

std::optional<std::string_view> view(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return std::string_view(*s);
}

// One chunk of events as the seven parameters of insert_events: the queue,
// then arrays of types, datas and extras (NULL when no event has that extra).
struct ChunkArrays {
  std::string types, datas;
  std::optional<std::string> extras[4];

  ChunkArrays(std::span<const NewEvent> events, bool one_type) {
    std::size_t bytes = 0;
    for (const NewEvent& e : events) bytes += e.data.size() + 3;
    text::ArrayLiteral t, d(bytes);
    for (const NewEvent& e : events) {
      if (!one_type || t.size() == 0) t.add(e.type);
      d.add(e.data);
    }
    types = t.finish();
    datas = d.finish();
    const std::optional<std::string> NewEvent::*fields[4] = {&NewEvent::extra1, &NewEvent::extra2,
                                                             &NewEvent::extra3, &NewEvent::extra4};
    for (int i = 0; i < 4; ++i) {
      auto f = fields[i];
      if (std::none_of(events.begin(), events.end(),
                       [f](const NewEvent& e) { return (e.*f).has_value(); }))
        continue;
      text::ArrayLiteral a;
      for (const NewEvent& e : events) a.add(view(e.*f));
      extras[i] = a.finish();
    }
  }
};

bool same_type(std::span<const NewEvent> events) {
  return std::all_of(events.begin(), events.end(),
                     [&](const NewEvent& e) { return e.type == events.front().type; });
}

}  // namespace

Producer::Producer(Connection& db, std::string queue, std::size_t chunk_size)
    : db_(db), queue_(std::move(queue)), chunk_size_(std::max<std::size_t>(chunk_size, 1)) {}

void Producer::require_no_transaction(const char* what) const {
  if (db_.in_transaction())
    detail::throw_usage(std::string(what) +
                        " without a Transaction runs in a transaction of its own, but one is "
                        "open on the connection: pass it as the first argument");
}

std::int64_t Producer::insert(const NewEvent& event) {
  require_no_transaction("Producer::insert");
  return insert_one(event);
}

// The statements join the open transaction by running on its connection;
// a transaction of another connection (or an ended one) would silently
// leave the event outside it.
void Producer::require_transaction(Transaction& tx) const {
  if (&tx.connection() != &db_)
    detail::throw_usage("the Transaction belongs to another connection than the Producer's");
  if (!tx.open()) detail::throw_usage("the Transaction has already ended");
}

std::int64_t Producer::insert(Transaction& tx, const NewEvent& event) {
  require_transaction(tx);
  return insert_one(event);
}

// The statements of a delayed write: one event, or one chunk.
static const char* delayed_sql(Delivery::Kind kind, bool many) {
  if (kind == Delivery::Kind::at)
    return many ? detail::sql::insert_events_at : detail::sql::insert_event_at;
  return many ? detail::sql::insert_events_after : detail::sql::insert_event_after;
}

std::int64_t Producer::insert_one(const NewEvent& event) {
  if (delivery_.kind() != Delivery::Kind::now) {
    std::string micros = std::to_string(delivery_.micros());
    Param params[] = {queue_,
                      micros,
                      event.type,
                      event.data,
                      view(event.extra1),
                      view(event.extra2),
                      view(event.extra3),
                      view(event.extra4)};
    Rows rows = db_.exec(delayed_sql(delivery_.kind(), false), params);
    return text::parse_integer<std::int64_t>(rows.value(0, 0)).value_or(0);
  }
  Param params[] = {queue_,
                    event.type,
                    event.data,
                    view(event.extra1),
                    view(event.extra2),
                    view(event.extra3),
                    view(event.extra4)};
  Rows rows = db_.exec(detail::sql::insert_event, params);
  return text::parse_integer<std::int64_t>(rows.value(0, 0)).value_or(0);
}

std::int64_t Producer::insert_many(std::span<const NewEvent> events) {
  require_no_transaction("Producer::insert_many");
  return insert_chunks(events);
}

std::int64_t Producer::insert_many(Transaction& tx, std::span<const NewEvent> events) {
  require_transaction(tx);
  return insert_chunks(events);
}

// All chunks go in one pipeline: one round trip, and outside a transaction
// block one implicit transaction, so a failure inserts nothing.
std::int64_t Producer::insert_chunks(std::span<const NewEvent> events) {
  if (events.empty()) return 0;
  detail::PgConn& pg = db_.pg();
  if (!bulk_api_) bulk_api_ = detail::has_pgqpp_api(pg);
  std::vector<ChunkArrays> arrays;
  arrays.reserve((events.size() + chunk_size_ - 1) / chunk_size_);
  std::vector<detail::Statement> statements;
  const bool delayed = delivery_.kind() != Delivery::Kind::now;
  const std::string micros = std::to_string(delivery_.micros());
  for (std::size_t at = 0; at < events.size(); at += chunk_size_) {
    auto chunk = events.subspan(at, std::min(chunk_size_, events.size() - at));
    const ChunkArrays& a = arrays.emplace_back(chunk, (delayed || *bulk_api_) && same_type(chunk));
    if (delayed)
      statements.push_back(
          {delayed_sql(delivery_.kind(), true),
           {queue_, micros, a.types, a.datas, a.extras[0], a.extras[1], a.extras[2], a.extras[3]}});
    else
      statements.push_back(
          {*bulk_api_ ? detail::sql::insert_events : detail::sql::insert_events_compat,
           {queue_, a.types, a.datas, a.extras[0], a.extras[1], a.extras[2], a.extras[3]}});
  }
  std::int64_t inserted = 0;
  for (const detail::PgResult& r : pg.pipeline(statements))
    inserted += text::parse_integer<std::int64_t>(PQgetvalue(r.get(), 0, 0)).value_or(0);
  return inserted;
}

}  // namespace pgqpp
