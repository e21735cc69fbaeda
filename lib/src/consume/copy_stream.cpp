// SPDX-License-Identifier: PostgreSQL
// A batch read with COPY (...) TO STDOUT (FORMAT binary): the server streams
// rows as it produces them and libpq hands them over one by one, so only one
// row is in client memory at a time, with the least per-row overhead libpq
// offers. Binary spares the server the text output of every value (the
// timestamp's above all) and the client any unescaping.
#include <array>

#include "consume/event_row.hpp"
#include "consume/event_stream.hpp"
#include "pg/conn.hpp"
#include "pg/errors.hpp"
#include "text/binary_copy.hpp"

namespace pgqpp::detail {

namespace {

class CopyStream final : public EventStream {
 public:
  CopyStream(PgConn& conn, std::string sql, int interrupt_fd)
      : conn_(conn),
        sql_("copy (" + sql + ") to stdout (format binary)"),
        interrupt_fd_(interrupt_fd) {}

  Next next(Event& ev) override {
    if (!started_ && !start()) return Next::interrupted;
    for (;;) {
      char* buf = nullptr;
      int n = PQgetCopyData(conn_.raw(), &buf, 1);
      if (n > 0) {
        row_.reset(buf);
        switch (text::parse_binary_copy(std::string_view(buf, static_cast<std::size_t>(n)),
                                        header_seen_, fields_)) {
          case text::CopyMessage::row:
            event_from_fields(fields_, ev);
            return Next::event;
          case text::CopyMessage::end:
            continue;  // CopyDone follows
          case text::CopyMessage::invalid:
            throw_bad_batch_row("not " + std::to_string(event_columns) +
                                " columns in binary COPY form");
        }
      }
      if (n == 0) {  // no whole row buffered: wait for the socket
        if (conn_.wait_readable(std::nullopt, interrupt_fd_) == PgConn::Wait::interrupted)
          return Next::interrupted;
        conn_.consume_input(sql_);
        continue;
      }
      // -1: the COPY is done (its result says whether it succeeded); -2: error.
      row_.reset();
      conn_.finish_results(sql_);
      return Next::end;
    }
  }

 private:
  bool start() {
    conn_.send(sql_);
    if (!conn_.await_result(sql_, interrupt_fd_)) return false;
    PgResult r = conn_.next_result(sql_);
    if (!r) throw_connection_lost(conn_.raw(), sql_);
    if (PQresultStatus(r.get()) != PGRES_COPY_OUT) {
      conn_.finish_results(sql_);  // drains, throwing the statement's error
      throw_result_error(conn_.raw(), r.get(), sql_);
    }
    started_ = true;
    return true;
  }

  PgConn& conn_;
  std::string sql_;
  int interrupt_fd_;
  bool started_ = false;
  bool header_seen_ = false;
  PgBuffer row_;
  std::array<std::optional<std::string_view>, event_columns> fields_;
};

}  // namespace

std::unique_ptr<EventStream> make_copy_stream(PgConn& conn, std::string sql, int interrupt_fd) {
  return std::make_unique<CopyStream>(conn, std::move(sql), interrupt_fd);
}

}  // namespace pgqpp::detail
