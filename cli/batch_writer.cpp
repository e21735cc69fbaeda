// SPDX-License-Identifier: PostgreSQL
// BatchWriter (see batch_writer.hpp).
#include "batch_writer.hpp"

#include <algorithm>
#include <span>

#include <pgqpp/error.hpp>

namespace pgqpp::cli {

namespace {

// The search for a rejected event inserts this many events per statement
// first, then one per statement in the chunk that fails: a bad line costs
// about batch/chunk + chunk statements, not one per event.
constexpr std::size_t search_chunk = 1000;

// SQLSTATE classes for a value the server refuses: 22 data exception
// (invalid UTF-8, a character the server encoding lacks), 54 program limit
// exceeded (a value too large).
bool about_the_data(const sql_error& e) {
  return e.sqlstate().starts_with("22") || e.sqlstate().starts_with("54");
}

// Runs `insert` inside a savepoint; on a server error rolls back to it,
// keeps the message in `reason` and returns false.
template <typename F>
bool inserted(Transaction& tx, std::string& reason, F&& insert) {
  tx.exec("savepoint pgqpp_produce");
  try {
    insert();
  } catch (const sql_error& e) {
    tx.exec("rollback to savepoint pgqpp_produce");
    reason = e.what();
    return false;
  }
  tx.exec("release savepoint pgqpp_produce");
  return true;
}

}  // namespace

BatchWriter::BatchWriter(Connection& db, const std::string& queue, bool atomic)
    : db_(db), producer_(db, queue), atomic_(atomic) {
  if (atomic_) atomic_tx_ = std::make_unique<Transaction>(db_);
}

void BatchWriter::add(long long line, NewEvent event) {
  if (events_.empty()) oldest_ = Clock::now();
  events_.push_back(std::move(event));
  lines_.push_back(line);
}

void BatchWriter::clear(long long through) {
  events_done_ += static_cast<long long>(events_.size());
  events_.clear();
  lines_.clear();
  done_ = through;
}

void BatchWriter::write(long long through) {
  if (!events_.empty()) insert_pending();
  clear(through);
}

void BatchWriter::finish(long long through) {
  write(through);
  if (!atomic_tx_) return;
  try {
    atomic_tx_->commit();
  } catch (const connection_lost&) {
    in_doubt_ = through;  // the commit may have happened before the connection went
    throw;
  }
}

void BatchWriter::insert_pending() {
  try {
    if (atomic_tx_)
      producer_.insert_many(*atomic_tx_, events_);
    else
      producer_.insert_many(events_);
  } catch (const connection_lost&) {
    // The commit may have happened before the connection went.
    if (!atomic_tx_) in_doubt_ = lines_.back();
    throw;
  } catch (const sql_error& e) {
    if (!about_the_data(e)) throw;  // e.g. the queue dropped: no line's fault
    handle_rejection(std::current_exception());
  }
}

// The batch failed as a whole: find the event at fault in a transaction of
// its own. Without atomic, the events before it are committed there.
void BatchWriter::handle_rejection(const std::exception_ptr& batch_error) {
  atomic_tx_.reset();  // aborted anyway: roll it back now
  std::string reason;
  std::size_t bad;
  {
    Transaction probe(db_);
    bad = insert_until_rejected(probe, reason);
    if (bad == events_.size()) std::rethrow_exception(batch_error);  // no single event at fault
    if (!atomic_) commit_probe(probe, lines_[bad] - 1);
  }
  if (!atomic_) {
    events_done_ += static_cast<long long>(bad);
    done_ = lines_[bad] - 1;  // lines between two events were blank: done too
  }
  throw RejectedLine(lines_[bad], reason);
}

void BatchWriter::commit_probe(Transaction& probe, long long through) {
  try {
    probe.commit();
  } catch (const connection_lost&) {
    in_doubt_ = through;
    throw;
  }
}

// Inserts the pending events in order until the server rejects one; returns
// its index (events_.size() when none is rejected).
std::size_t BatchWriter::insert_until_rejected(Transaction& tx, std::string& reason) {
  std::span<const NewEvent> all(events_);
  for (std::size_t at = 0; at < all.size(); at += search_chunk) {
    auto chunk = all.subspan(at, std::min(search_chunk, all.size() - at));
    if (inserted(tx, reason, [&] { producer_.insert_many(tx, chunk); })) continue;
    for (std::size_t i = 0; i < chunk.size(); ++i)
      if (!inserted(tx, reason, [&] { producer_.insert(tx, chunk[i]); })) return at + i;
    return all.size();  // the chunk failed, yet each of its events went in
  }
  return all.size();
}

}  // namespace pgqpp::cli
