// SPDX-License-Identifier: PostgreSQL
#include "consume/batch_reader.hpp"

#include <limits>
#include <string>

#include "pg/errors.hpp"

namespace pgqpp::detail {

BatchReader::BatchReader(BatchSource& source, BatchInfo batch, BatchProgress& progress, bool resume)
    : source_(source), batch_(std::move(batch)), progress_(progress), resume_(resume) {}

BatchReader::~BatchReader() {
  if (stream_) {
    stream_.reset();
    source_.drop_connection();
  }
}

bool BatchReader::advance() {
  if (ended_) return false;
  if (source_.stop().mode() == StopMode::now) {
    interrupted_ = ended_ = true;
    return false;
  }
  if (!read_one()) return false;
  progress_.last_ev_id = current_.id;
  ++events_read_;
  source_.count_event();
  return true;
}

void BatchReader::skip_rest() {
  while (!ended_ && read_one()) {
  }
}

// One event from the stream, reopening it after a lost connection.
bool BatchReader::read_one() {
  for (;;) {
    try {
      if (!stream_) stream_ = source_.open_stream(batch_, progress_.last_ev_id);
      switch (stream_->next(current_)) {
        case EventStream::Next::event:
          return true;
        case EventStream::Next::end:
          stream_.reset();
          ended_ = progress_.all_read = true;
          return false;
        case EventStream::Next::interrupted:
          stream_.reset();
          source_.drop_connection();
          interrupted_ = ended_ = true;
          return false;
      }
    } catch (const connection_lost& e) {
      stream_.reset();
      if (!resume_) {
        source_.drop_connection();
        throw;
      }
      reopen_after(e);
      if (ended_) return false;
    }
  }
}

// Reconnects and checks that the batch is still ours and open: next_batch
// returns it again as long as it is not finished.
void BatchReader::reopen_after(const connection_lost& cause) {
  if (!source_.reconnect(cause, source_.stop().now_fd())) {
    interrupted_ = ended_ = true;
    return;
  }
  auto again = source_.next_batch();
  if (!again || again->id != batch_.id) {
    error::Details d;
    d.message = "batch " + std::to_string(batch_.id) +
                " is no longer open after reconnecting: was the consumer unregistered, or is "
                "another process running it?";
    d.connection_usable = true;
    d.transaction_usable = true;
    throw sql_error(std::move(d));
  }
  batch_.sql = std::move(again->sql);
}

void BatchReader::retry(const Event& ev, std::chrono::seconds delay) {
  auto s = std::min<std::int64_t>(delay.count(), std::numeric_limits<std::int32_t>::max());
  RetryTag t;
  t.ev_id = ev.id;
  t.seconds = static_cast<std::int32_t>(std::max<std::int64_t>(s, 0));
  progress_.retries.push_back(std::move(t));
}

void BatchReader::dead(const Event& ev, std::string reason) {
  RetryTag t;
  t.ev_id = ev.id;
  t.dead = true;
  t.reason = std::move(reason);
  progress_.retries.push_back(std::move(t));
}

}  // namespace pgqpp::detail
