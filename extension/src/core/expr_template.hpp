// SPDX-License-Identifier: PostgreSQL
// The when= and ev_*= expressions of PgQ's triggers refer to the row's
// columns by name. They run as "select EXPR" with every column reference
// replaced by a parameter ($1, $2, ..) that receives the column's value.
//
// The expression is scanned as SQL tokens: string constants (also E'',
// dollar-quoted), comments, quoted identifiers and numbers are kept as they
// are, so a column name inside them is never replaced. A bare word is a
// column reference when it names a column (compared in lower case as the
// SQL parser folds it, else as written, as PgQ does), unless it is part of
// a qualified name (a.b), follows "::" (a type) or precedes "(" (a function
// call). A double-quoted identifier is a column reference when it names a
// column exactly.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pgqpp::ext::core {

struct ExprTemplate {
  std::string sql;          // "select ..." with $n in place of the columns
  std::vector<int> params;  // $n+1 takes the column at position params[n]
};

/// The expression cannot be tokenized (an unterminated string, quoted
/// identifier, dollar quote or comment).
class ExprSyntaxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Builds the query for `expr`. `columns` holds the table's column names by
/// position, "" for dropped columns. Throws ExprSyntaxError.
ExprTemplate expression_template(std::string_view expr, const std::vector<std::string>& columns);

}  // namespace pgqpp::ext::core
