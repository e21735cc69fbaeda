// SPDX-License-Identifier: PostgreSQL
// Inserting events into a queue.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "pgqpp/delivery.hpp"
#include "pgqpp/new_event.hpp"

namespace pgqpp {

class Connection;
class Transaction;

/// Writes events into one queue over a Connection it does not own.
///
/// Every write comes in two forms: with a Transaction, the events commit or
/// roll back with the caller's own work (the point of a queue in the
/// database); without one, the write is a transaction of its own.
class Producer {
 public:
  /// A producer for `queue` on `db`; `db` must outlive it. Bulk inserts are
  /// sent `chunk_size` events per statement, all statements in one round
  /// trip.
  Producer(Connection& db, std::string queue, std::size_t chunk_size = 10000);

  /// Inserts one event in its own transaction and returns its ev_id.
  /// Throws usage_error when a transaction is open on the connection (pass
  /// it as the first argument instead).
  std::int64_t insert(const NewEvent& event);
  /// Inserts one event inside `tx` and returns its ev_id. Throws usage_error
  /// when `tx` is not open on this producer's connection.
  std::int64_t insert(Transaction& tx, const NewEvent& event);

  /// Inserts all `events` in order, in one transaction of their own (all or
  /// none), and returns how many were inserted. Uses pgqpp's bulk
  /// pgq.insert_events(); against PgQ 3.5 one statement per chunk that calls
  /// pgq.insert_event() per row. Throws usage_error when a transaction is open.
  std::int64_t insert_many(std::span<const NewEvent> events);
  /// As above, inside `tx`.
  std::int64_t insert_many(Transaction& tx, std::span<const NewEvent> events);

  /// Makes every later write deliver its events as `delivery` says: at
  /// once (the default), at a time, or after a delay (pgqpp's delayed
  /// events: pgq.insert_event_at, pgq.insert_events_at; not on PgQ 3.5,
  /// where such writes fail with SQLSTATE 42883).
  void set_delivery(Delivery delivery) noexcept { delivery_ = delivery; }
  /// When the events written now are due.
  const Delivery& delivery() const noexcept { return delivery_; }

  /// The queue's name.
  const std::string& queue() const noexcept { return queue_; }

 private:
  std::int64_t insert_one(const NewEvent& event);
  std::int64_t insert_chunks(std::span<const NewEvent> events);
  void require_no_transaction(const char* what) const;
  void require_transaction(Transaction& tx) const;

  Connection& db_;
  std::string queue_;
  std::size_t chunk_size_;
  std::optional<bool> bulk_api_;  // the server has pgq.insert_events (asked once)
  Delivery delivery_;
};

}  // namespace pgqpp
