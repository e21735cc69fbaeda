// SPDX-License-Identifier: PostgreSQL
#include "consume/event_stream.hpp"

namespace pgqpp::detail {

std::unique_ptr<EventStream> open_event_stream(PgConn& conn, std::string sql, int fetch_size,
                                               int interrupt_fd) {
  if (fetch_size <= 0) return make_copy_stream(conn, std::move(sql), interrupt_fd);
  return make_cursor_stream(conn, std::move(sql), fetch_size, interrupt_fd);
}

}  // namespace pgqpp::detail
