// SPDX-License-Identifier: PostgreSQL
// Reading a batch's events from the server one at a time.
#pragma once

#include <memory>
#include <string>

#include "pgqpp/event.hpp"

namespace pgqpp::detail {

class PgConn;

/// A batch's events as they arrive. Implementations keep at most one
/// server response in memory (a COPY row, or one FETCH's rows).
class EventStream {
 public:
  enum class Next { event, end, interrupted };
  virtual ~EventStream() = default;
  /// Reads the next event into `ev` (its views live until the next call);
  /// `end` after the last; `interrupted` when the stop fd turned readable
  /// while waiting for the server (the stream is then unusable).
  virtual Next next(Event& ev) = 0;
};

/// A stream over the rows of `sql` (the columns of pgq.get_batch_events):
/// COPY when `fetch_size` is 0, else a cursor read `fetch_size` rows at a
/// time. Waits for the server are cut short when `interrupt_fd` is readable.
std::unique_ptr<EventStream> open_event_stream(PgConn& conn, std::string sql, int fetch_size,
                                               int interrupt_fd);

/// The two kinds open_event_stream chooses from.
std::unique_ptr<EventStream> make_copy_stream(PgConn& conn, std::string sql, int interrupt_fd);
std::unique_ptr<EventStream> make_cursor_stream(PgConn& conn, std::string sql, int fetch_size,
                                                int interrupt_fd);

}  // namespace pgqpp::detail
