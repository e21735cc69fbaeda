// SPDX-License-Identifier: PostgreSQL
#include "consume/batch_source.hpp"

#include <poll.h>

#include "pg/errors.hpp"
#include "queue_sql.hpp"
#include "server_api.hpp"
#include "text/array_literal.hpp"
#include "text/number.hpp"

namespace pgqpp::detail {

namespace {

constexpr std::chrono::seconds connect_timeout{30};
// pgq.next_batch_wait's longest timeout.
constexpr std::chrono::milliseconds max_server_wait{60000};

// An interval parameter, or NULL for "no limit".
std::optional<std::string> interval_param(std::chrono::milliseconds ms) {
  if (ms.count() <= 0) return std::nullopt;
  return std::to_string(ms.count()) + " milliseconds";
}

std::int64_t int_at(const PgResult& r, int row, int col) {
  return text::parse_integer<std::int64_t>(PQgetvalue(r.get(), row, col)).value_or(0);
}

// Sleeps up to `ms`; false when `fd` turned readable first.
bool sleep_unless(int fd, std::chrono::milliseconds ms) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, static_cast<int>(ms.count())) <= 0;
}

}  // namespace

RetryArrays retry_arrays(std::span<const RetryTag> retries) {
  text::ArrayLiteral ids, seconds;
  for (const RetryTag& t : retries) {
    if (t.dead) continue;
    ids.add(std::to_string(t.ev_id));
    seconds.add(std::to_string(t.seconds));
  }
  return {ids.finish(), seconds.finish()};
}

DeadArrays dead_arrays(std::span<const RetryTag> tags) {
  text::ArrayLiteral ids, reasons;
  for (const RetryTag& t : tags) {
    if (!t.dead) continue;
    ids.add(std::to_string(t.ev_id));
    reasons.add(t.reason);
  }
  std::size_t n = ids.size();
  return {ids.finish(), reasons.finish(), n};
}

BatchSource::BatchSource(std::string conninfo, ConsumerOptions options)
    : conninfo_(std::move(conninfo)), options_(std::move(options)) {
  if (options_.queue.empty() || options_.consumer.empty())
    throw_usage("ConsumerOptions needs a queue and a consumer name");
  if (options_.behind_pooler &&
      (options_.min_lag.count() > 0 || options_.min_count > 0 || options_.min_interval.count() > 0))
    throw_usage(
        "ConsumerOptions: behind_pooler cannot be combined with min_lag, min_count or "
        "min_interval (pgq.next_batch_wait opens the next batch as it comes)");
  if (!options_.subconsumer.empty() && options_.behind_pooler)
    throw_usage(
        "ConsumerOptions: a subconsumer cannot run behind_pooler (pgq.next_batch_wait does not "
        "hand out subconsumer batches)");
  if (options_.subconsumer.empty() && options_.dead_interval.count() > 0)
    throw_usage("ConsumerOptions: dead_interval needs a subconsumer");
  if (options_.behind_pooler && options_.poll_interval > max_server_wait)
    throw_usage("ConsumerOptions: behind_pooler needs a poll_interval of at most 60 s");
  if (options_.max_batch_events && *options_.max_batch_events < 0)
    throw_usage(
        "ConsumerOptions: max_batch_events must be a positive number of events, or 0 "
        "to clear the setting (got " +
        std::to_string(*options_.max_batch_events) + ")");
}

PgConn& BatchSource::conn() {
  if (!connected()) open_connection(-1);
  return *conn_;
}

void BatchSource::open_connection(int interrupt_fd) {
  conn_.reset();
  auto conn = PgConn::open(conninfo_, connect_timeout, interrupt_fd);
  if (!conn) return;  // interrupted
  conn_ = std::move(conn);
  try {
    setup_session();
  } catch (...) {
    conn_.reset();
    throw;
  }
}

// LISTEN before the first next_batch, so that no tick can slip between.
// Behind a pooler, nothing that outlives a transaction: no LISTEN.
void BatchSource::setup_session() {
  conn_->silence_notices();
  waited_.reset();
  const Statement setup[] = {
      {sql::has_pgqpp_api, {}}, {sql::queue_id, {options_.queue}}, {sql::has_next_batch_wait, {}}};
  auto results = conn_->pipeline(setup);
  notifications_ = PQgetvalue(results[0].get(), 0, 0)[0] == 't' && !options_.behind_pooler;
  server_waits_ = options_.behind_pooler && PQgetvalue(results[2].get(), 0, 0)[0] == 't';
  if (options_.register_consumer && !registered_) register_consumer();
  if (notifications_ && PQntuples(results[1].get()) == 1)
    conn_->exec("listen pgqpp_tick_" + std::string(PQgetvalue(results[1].get(), 0, 0)));
}

// ConsumerOptions::max_batch_events, once per consumer object (the setting
// lives on the server: a reconnect keeps it), when the consumer is
// registered or before its first batch. 0 clears it; on a server without
// bounded batches that is what it has anyway.
void BatchSource::apply_max_batch_events() {
  if (!options_.max_batch_events || configured_) return;
  const std::int32_t n = *options_.max_batch_events;
  PgConn& c = conn();
  PgResult has = c.exec(sql::has_consumer_config);
  if (PQgetvalue(has.get(), 0, 0)[0] != 't') {
    if (n > 0)
      throw_usage(
          "ConsumerOptions: max_batch_events needs pgqpp 1.2 or later on the server "
          "(pgq.set_consumer_config); this database's pgq schema has no bounded "
          "batches (PgQ 3.5 or an older pgqpp: ALTER EXTENSION pgqpp UPDATE)");
    configured_ = true;
    return;
  }
  const Param params[] = {options_.queue, options_.consumer, n > 0 ? Param(n) : Param(nullptr)};
  c.exec(sql::set_max_batch_events, params);
  configured_ = true;
}

bool BatchSource::reconnect(const error& cause, int interrupt_fd) {
  conn_.reset();
  if (options_.on_connection_lost) options_.on_connection_lost(cause);
  for (;;) {
    if (!sleep_unless(interrupt_fd, options_.reconnect_delay)) return false;
    try {
      open_connection(interrupt_fd);
      return conn_ != nullptr;
    } catch (const connection_lost&) {
    } catch (const timeout_error&) {
    }
  }
}

std::optional<BatchInfo> BatchSource::next_batch() {
  apply_max_batch_events();
  if (waited_) {
    auto batch = std::move(waited_);
    waited_.reset();
    return batch;
  }
  auto min_lag = interval_param(options_.min_lag);
  auto min_interval = interval_param(options_.min_interval);
  std::optional<std::int32_t> min_count;
  if (options_.min_count > 0) min_count = options_.min_count;
  const Param count = min_count ? Param(*min_count) : Param(nullptr);
  PgResult r;
  if (coop()) {
    auto dead = interval_param(options_.dead_interval);  // Param refers to it: keep it alive
    const Param params[] = {options_.queue,
                            options_.consumer,
                            options_.subconsumer,
                            min_lag,
                            count,
                            min_interval,
                            dead};
    r = conn().exec(sql::coop_next_batch, params);
  } else {
    const Param params[] = {options_.queue, options_.consumer, min_lag, count, min_interval};
    r = conn().exec(sql::next_batch, params);
  }
  if (PQgetisnull(r.get(), 0, 0)) return std::nullopt;
  return BatchInfo{int_at(r, 0, 0), int_at(r, 0, 1), int_at(r, 0, 2), PQgetvalue(r.get(), 0, 3)};
}

void BatchSource::wait_for_tick() {
  if (server_waits_) {
    wait_in_server();
    return;
  }
  if (!notifications_) {
    sleep_unless(stop().any_fd(), options_.poll_interval);
    return;
  }
  PgConn& c = conn();
  auto deadline = PgConn::Clock::now() + options_.poll_interval;
  while (!c.drain_notifications()) {
    if (c.wait_readable(deadline, stop().any_fd()) != PgConn::Wait::ready) return;
    c.consume_input("listen");
  }
}

// One pgq.next_batch_wait call of up to poll_interval. A stop request
// cancels it (the server ends the wait with 57014, which is not an error
// here); a batch it opened stays open in the server either way.
void BatchSource::wait_in_server() {
  PgConn& c = conn();
  std::int32_t timeout_ms = static_cast<std::int32_t>(options_.poll_interval.count());
  const Param params[] = {options_.queue, options_.consumer, timeout_ms};
  c.send(sql::next_batch_wait, params);
  if (!c.await_result(sql::next_batch_wait, stop().any_fd())) {
    c.cancel_statement();
    return;
  }
  PgResult r = c.finish_results(sql::next_batch_wait);
  if (PQntuples(r.get()) != 1 || PQgetisnull(r.get(), 0, 0)) return;
  waited_ = BatchInfo{int_at(r, 0, 0), int_at(r, 0, 1), int_at(r, 0, 2), PQgetvalue(r.get(), 0, 3)};
}

std::unique_ptr<EventStream> BatchSource::open_stream(const BatchInfo& batch,
                                                      std::int64_t after_ev_id) {
  // Events come in ev_id order, so "after the last one handed out" is a
  // filter on ev_id.
  std::string sql = after_ev_id == 0 ? batch.sql
                                     : "select * from (" + batch.sql + ") b where ev_id > " +
                                           std::to_string(after_ev_id) + " order by ev_id";
  return open_event_stream(conn(), std::move(sql), options_.fetch_size, stop().now_fd());
}

void BatchSource::finish(std::int64_t batch_id, std::span<const RetryTag> retries) {
  const char* finish_sql = coop() ? sql::coop_finish_batch : sql::finish_batch;
  if (retries.empty()) {
    const Param params[] = {batch_id};
    conn().exec(finish_sql, params);
  } else {
    // Retries first: event_dead takes an event out of the retry queue.
    RetryArrays arrays = retry_arrays(retries);
    DeadArrays dead = dead_arrays(retries);
    std::vector<Statement> s = {{sql::event_retries, {batch_id, arrays.ids, arrays.seconds}}};
    if (dead.count > 0) s.push_back({sql::event_deads, {batch_id, dead.ids, dead.reasons}});
    s.push_back({finish_sql, {batch_id}});
    conn().pipeline(s);
  }
  batches_finished_.fetch_add(1);
}

bool BatchSource::register_consumer() {
  PgResult r;
  if (coop()) {
    const Param params[] = {options_.queue, options_.consumer, options_.subconsumer};
    r = conn().exec(sql::coop_register, params);
  } else {
    const Param params[] = {options_.queue, options_.consumer};
    r = conn().exec(sql::register_consumer, params);
  }
  registered_ = true;
  apply_max_batch_events();
  return int_at(r, 0, 0) == 1;
}

void BatchSource::unregister_consumer() {
  if (coop()) {
    const Param params[] = {options_.queue, options_.consumer, options_.subconsumer};
    conn().exec(sql::coop_unregister, params);
    return;
  }
  const Param params[] = {options_.queue, options_.consumer};
  conn().exec(sql::unregister_consumer, params);
}

}  // namespace pgqpp::detail
