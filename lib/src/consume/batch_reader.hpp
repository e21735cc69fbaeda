// SPDX-License-Identifier: PostgreSQL
// Reading one batch: the engine behind pgqpp::Batch.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "consume/batch_source.hpp"
#include "consume/event_stream.hpp"
#include "pgqpp/batch.hpp"

namespace pgqpp::detail {

/// How far a batch got; kept by the consumer loop across reconnects, so that
/// a batch continues where it was instead of starting over.
struct BatchProgress {
  std::int64_t batch_id = 0;
  std::int64_t last_ev_id = 0;  ///< last event handed to the handler
  bool all_read = false;        ///< every event was handed out; only the finish is left
  std::vector<RetryTag> retries;
};

class BatchReader {
 public:
  /// Reads `batch` for `source`, recording progress in `progress`. With
  /// `resume`, a lost connection is reopened and reading continues after
  /// the last event handed out; without, connection_lost propagates.
  BatchReader(BatchSource& source, BatchInfo batch, BatchProgress& progress, bool resume);
  /// Closes the connection if the stream was left half read.
  ~BatchReader();

  /// Moves to the next event; false at the end or on a stop "now".
  bool advance();
  /// The event advance() moved to.
  const Event& current() const noexcept { return current_; }
  /// Reads the rest without handing it out (a batch handler returned early).
  void skip_rest();

  void retry(const Event& ev, std::chrono::seconds delay);
  void dead(const Event& ev, std::string reason);
  bool interrupted() const noexcept { return interrupted_; }
  /// Marks the batch interrupted although its stream was read (keyed
  /// handlers dropped events on a stop "now"): it must stay open.
  void interrupt() noexcept { interrupted_ = ended_ = true; }
  bool begun() const noexcept { return begun_; }
  void mark_begun() noexcept { begun_ = true; }
  const BatchInfo& info() const noexcept { return batch_; }
  std::int64_t events_read() const noexcept { return events_read_; }
  /// The public view of this reader.
  Batch& batch() noexcept { return view_; }

 private:
  bool read_one();
  void reopen_after(const connection_lost& cause);

  BatchSource& source_;
  BatchInfo batch_;
  BatchProgress& progress_;
  bool resume_;
  std::unique_ptr<EventStream> stream_;
  Event current_;
  bool ended_ = false;
  bool interrupted_ = false;
  bool begun_ = false;
  std::int64_t events_read_ = 0;
  Batch view_{*this};
};

}  // namespace pgqpp::detail
