// SPDX-License-Identifier: PostgreSQL
#include "pgqpp/connection.hpp"

#include "pg/conn.hpp"
#include "rows_data.hpp"

namespace pgqpp {

Connection::Connection(const std::string& conninfo, std::chrono::milliseconds connect_timeout)
    : pg_(detail::PgConn::open(conninfo, connect_timeout)) {}

Connection::Connection(std::unique_ptr<detail::PgConn> pg) noexcept : pg_(std::move(pg)) {}

Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

Rows Connection::exec(std::string_view sql, std::initializer_list<Param> params) {
  return exec(sql, std::span<const Param>(params.begin(), params.size()));
}

Rows Connection::exec(std::string_view sql, std::span<const Param> params) {
  return Rows(std::make_unique<detail::RowsData>(detail::RowsData{pg_->exec(sql, params)}));
}

bool Connection::in_transaction() const noexcept { return pg_->in_transaction(); }

void Connection::set_query_timeout(std::chrono::milliseconds timeout) noexcept {
  pg_->set_query_timeout(timeout);
}

}  // namespace pgqpp
