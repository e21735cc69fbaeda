// SPDX-License-Identifier: PostgreSQL
// The rows a statement returned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

namespace pgqpp {

namespace detail {
struct RowsData;
}

/// The result of one statement: its rows (all in memory, as text) and the
/// number of rows it affected. Move-only; the views it hands out live as
/// long as the Rows.
class Rows {
 public:
  /// Number of rows returned.
  std::size_t size() const noexcept;
  /// Number of columns returned.
  int columns() const noexcept;
  /// The value at (row, column), or nullopt for NULL. Throws usage_error
  /// when row or column is out of range.
  std::optional<std::string_view> get(std::size_t row, int column) const;
  /// The value at (row, column); throws usage_error when it is NULL or out
  /// of range.
  std::string_view value(std::size_t row, int column) const;
  /// Rows inserted, updated, deleted, ... (the command tag's count); 0 when
  /// the statement does not report one.
  std::int64_t affected() const noexcept;

  /// Takes over a result (library-internal).
  explicit Rows(std::unique_ptr<detail::RowsData> data) noexcept;
  /// Rows move; the moved-from one is empty.
  Rows(Rows&&) noexcept;
  /// Frees these rows and takes over `other`'s.
  Rows& operator=(Rows&& other) noexcept;
  /// Frees the result.
  ~Rows();

 private:
  std::unique_ptr<detail::RowsData> data_;
};

}  // namespace pgqpp
