// SPDX-License-Identifier: PostgreSQL
#include "pgqpp/rows.hpp"

#include <string>

#include "pg/errors.hpp"
#include "rows_data.hpp"
#include "text/number.hpp"

namespace pgqpp {

Rows::Rows(std::unique_ptr<detail::RowsData> data) noexcept : data_(std::move(data)) {}
Rows::Rows(Rows&&) noexcept = default;
Rows& Rows::operator=(Rows&&) noexcept = default;
Rows::~Rows() = default;

std::size_t Rows::size() const noexcept {
  return data_ && data_->result ? static_cast<std::size_t>(PQntuples(data_->result.get())) : 0;
}

int Rows::columns() const noexcept {
  return data_ && data_->result ? PQnfields(data_->result.get()) : 0;
}

std::optional<std::string_view> Rows::get(std::size_t row, int column) const {
  if (row >= size() || column < 0 || column >= columns())
    detail::throw_usage("no value at row " + std::to_string(row) + ", column " +
                        std::to_string(column) + ": the result has " + std::to_string(size()) +
                        " rows of " + std::to_string(columns()) + " columns");
  PGresult* r = data_->result.get();
  int i = static_cast<int>(row);
  if (PQgetisnull(r, i, column)) return std::nullopt;
  return std::string_view(PQgetvalue(r, i, column),
                          static_cast<std::size_t>(PQgetlength(r, i, column)));
}

std::string_view Rows::value(std::size_t row, int column) const {
  auto v = get(row, column);
  if (!v)
    detail::throw_usage("value at row " + std::to_string(row) + ", column " +
                        std::to_string(column) + " is NULL");
  return *v;
}

std::int64_t Rows::affected() const noexcept {
  if (!data_ || !data_->result) return 0;
  return text::parse_integer<std::int64_t>(PQcmdTuples(data_->result.get())).value_or(0);
}

}  // namespace pgqpp
