// SPDX-License-Identifier: PostgreSQL
// A batch read through a cursor, `fetch_size` rows per FETCH: PgQ's way
// (get_batch_cursor), for consumers that want a bound on rows per round
// trip. The cursor lives in a transaction the stream opens and commits.
// FETCH asks for binary results, so values come as in the COPY stream.
#include <array>

#include "consume/event_row.hpp"
#include "consume/event_stream.hpp"
#include "pg/conn.hpp"

namespace pgqpp::detail {

namespace {

class CursorStream final : public EventStream {
 public:
  CursorStream(PgConn& conn, std::string sql, int fetch_size, int interrupt_fd)
      : conn_(conn),
        declare_("declare pgqpp_batch no scroll cursor for " + sql),
        fetch_("fetch " + std::to_string(fetch_size) + " from pgqpp_batch"),
        fetch_size_(fetch_size),
        interrupt_fd_(interrupt_fd) {}

  Next next(Event& ev) override {
    if (!started_) {
      conn_.exec("begin");
      conn_.exec(declare_);
      started_ = true;
    }
    while (!rows_ || row_ == PQntuples(rows_.get())) {
      if (rows_ && PQntuples(rows_.get()) < fetch_size_) {
        rows_.reset();
        conn_.exec("commit");
        return Next::end;
      }
      conn_.send(fetch_, {}, PgConn::Format::binary);
      if (!conn_.await_result(fetch_, interrupt_fd_)) return Next::interrupted;
      rows_ = conn_.finish_results(fetch_);
      row_ = 0;
    }
    for (int c = 0; c < static_cast<int>(event_columns); ++c) {
      fields_[c] = PQgetisnull(rows_.get(), row_, c)
                       ? std::nullopt
                       : std::optional<std::string_view>(std::string_view(
                             PQgetvalue(rows_.get(), row_, c),
                             static_cast<std::size_t>(PQgetlength(rows_.get(), row_, c))));
    }
    ++row_;
    event_from_fields(fields_, ev);
    return Next::event;
  }

 private:
  PgConn& conn_;
  std::string declare_, fetch_;
  int fetch_size_, interrupt_fd_;
  bool started_ = false;
  PgResult rows_;
  int row_ = 0;
  std::array<std::optional<std::string_view>, event_columns> fields_;
};

}  // namespace

std::unique_ptr<EventStream> make_cursor_stream(PgConn& conn, std::string sql, int fetch_size,
                                                int interrupt_fd) {
  return std::make_unique<CursorStream>(conn, std::move(sql), fetch_size, interrupt_fd);
}

}  // namespace pgqpp::detail
