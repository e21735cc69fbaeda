// SPDX-License-Identifier: PostgreSQL
// The events of `pgqpp produce`, from numbered input lines into a queue, one
// transaction per write (or all in one, atomic), keeping count of which
// lines are in. When the server rejects one event of a batch, the batch is
// tried again event by event to name that event's line and keep exactly the
// lines before it, whatever the batch size.
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <pgqpp/connection.hpp>
#include <pgqpp/delivery.hpp>
#include <pgqpp/new_event.hpp>
#include <pgqpp/producer.hpp>
#include <pgqpp/transaction.hpp>

namespace pgqpp::cli {

/// The server rejected the event of one line; what() is the server's
/// message for that event alone (never the batch's, which may quote others).
class RejectedLine : public std::runtime_error {
 public:
  RejectedLine(long long line, const std::string& reason)
      : std::runtime_error(reason), line_(line) {}
  long long line() const noexcept { return line_; }

 private:
  long long line_;
};

/// Collects events with their line numbers and inserts them (see above).
class BatchWriter {
 public:
  using Clock = std::chrono::steady_clock;

  /// Writes into `queue` on `db` (which must outlive it); with `atomic`
  /// every write goes into one transaction, committed by finish().
  BatchWriter(Connection& db, const std::string& queue, bool atomic);

  /// Delivers the events written from now on as `delivery` says (delayed
  /// events; the default is at once).
  void set_delivery(Delivery delivery) noexcept { producer_.set_delivery(delivery); }

  /// Adds the event read from input line `line`.
  void add(long long line, NewEvent event);
  /// Events added and not written yet.
  std::size_t pending() const noexcept { return events_.size(); }
  /// When the oldest pending event was added.
  Clock::time_point oldest() const noexcept { return oldest_; }

  /// Inserts the pending events; afterwards every line up to `through` (the
  /// last line read: pending or skipped) is done. When the server rejects
  /// one event, the events before it are committed (with atomic: nothing
  /// is) and RejectedLine names its line. A lost connection sets in_doubt()
  /// and propagates; so does any other error, with nothing of the batch in.
  void write(long long through);
  /// write(), then with atomic the commit.
  void finish(long long through);

  /// Every line up to this one is inserted (with atomic: inside the open
  /// transaction, committed only by finish()).
  long long done() const noexcept { return done_; }
  /// After a connection lost during a commit: the last line whose commit
  /// may or may not have happened (0: none in doubt; the lines in doubt
  /// start after done(), or with atomic at line 1).
  long long in_doubt() const noexcept { return in_doubt_; }
  /// Events inserted so far.
  long long events() const noexcept { return events_done_; }

 private:
  void insert_pending();
  [[noreturn]] void handle_rejection(const std::exception_ptr& batch_error);
  std::size_t insert_until_rejected(Transaction& tx, std::string& reason);
  void commit_probe(Transaction& probe, long long through);
  void clear(long long through);

  Connection& db_;
  Producer producer_;
  bool atomic_;
  std::unique_ptr<Transaction> atomic_tx_;
  std::vector<NewEvent> events_;
  std::vector<long long> lines_;  // the input line of each pending event
  Clock::time_point oldest_;
  long long done_ = 0;
  long long in_doubt_ = 0;
  long long events_done_ = 0;
};

}  // namespace pgqpp::cli
