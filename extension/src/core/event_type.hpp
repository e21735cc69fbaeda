// SPDX-License-Identifier: PostgreSQL
// The ev_type of trigger events, as PgQ 3.5 writes it for each trigger:
//
//   logutriga   "I:id,name" (operation ':' key columns), "R" for TRUNCATE
//   sqltriga    "I", "U", "D", "R"
//   jsontriga   {"op":"INSERT","table":["public","t"],"pkey":["id"]}
#pragma once

#include <string>
#include <string_view>

namespace pgqpp::ext::core {

/// The operation a row trigger reports; the values are PgQ's letters.
enum class Op : char { kInsert = 'I', kUpdate = 'U', kDelete = 'D', kTruncate = 'R' };

/// "INSERT", "UPDATE", "DELETE", "TRUNCATE".
const char* op_name(Op op);

/// The three trigger payload formats.
enum class Format { kUrlEncoded, kSql, kJson };

/// The ev_type of an event in `format`. `pkey_list` is the key column list
/// as PgQ has it (the primary key's columns joined by ',' or the pkey=
/// argument verbatim); schema and table name the table.
std::string event_type(Format format, Op op, std::string_view schema, std::string_view table,
                       std::string_view pkey_list);

}  // namespace pgqpp::ext::core
