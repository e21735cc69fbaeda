// SPDX-License-Identifier: PostgreSQL
// What the change-capture triggers need to know about a table, read once
// per backend from its relation descriptor and catalogs, so that a trigger
// call does no catalog lookups: names and encodings of the columns, their
// output and equality functions, the primary key.
//
// Built by trigger_cache.cpp, which drops it when a relcache invalidation
// says the table changed. A TableMeta is immutable once built (apart from
// the function caches inside FmgrInfo) and shared by the triggers' plans.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pg/postgres.hpp"

namespace pgqpp::ext::triggers {

/// How jsontriga writes a column's value (PgQ's rule: by the column's exact
/// type, so a domain over int4 is written as a string).
enum class JsonKind : uint8 { kString, kBool, kInt16, kInt32, kInt64, kDateTime };

/// How a column's text form is made: by the type's output function, or, for
/// the commonest types, directly (the same bytes, without the call and the
/// copy): text and varchar values as stored, integers printed, booleans as
/// t/f.
enum class TextForm : uint8 { kOutputFunction, kVarlenaBytes, kInt16, kInt32, kInt64, kBool };

/// A column named "_pgq_ev_<field>" supplies that event field; any other
/// "_pgq_ev_" name is an error when an event is made.
constexpr int kNoMagic = -1;
constexpr int kUnknownMagic = -2;

struct Column {
  bool dropped = true;
  std::string name;
  std::string url_name;         // URL-encoded, for logutriga
  std::string json_key;         // "name": for jsontriga
  std::string sql_name;         // as quote_identifier() writes it
  std::string sql_name_quoted;  // always quoted (quote_all_identifiers)
  Oid type = InvalidOid;
  Oid collation = InvalidOid;
  mutable FmgrInfo output{};  // the type's output function
  TextForm text = TextForm::kOutputFunction;
  JsonKind json = JsonKind::kString;
  bool compare_as_text = false;  // no usable "=": compare the text forms
  mutable FmgrInfo equal{};      // the type's "=" otherwise
  int magic_field = kNoMagic;    // core::EventField, or kUnknownMagic
};

struct TableMeta {
  Oid relid = InvalidOid;
  std::string schema, name;
  std::string full_name;         // schema.name, unquoted: PgQ's ev_extra1
  std::vector<Column> columns;   // by attribute number - 1
  std::vector<int> primary_key;  // column positions, in the index's order
  std::string primary_key_list;  // their names joined by ','
  MemoryContext cxt = nullptr;   // holds the FmgrInfos' function caches

  TableMeta() = default;
  TableMeta(const TableMeta&) = delete;
  TableMeta& operator=(const TableMeta&) = delete;
  ~TableMeta();

  /// The column names by position, "" for dropped columns.
  std::vector<std::string> column_names() const;
};

/// Reads the metadata of `rel`, which the caller has open.
/// Throws Error or PgError.
std::unique_ptr<TableMeta> build_table_meta(Relation rel);

}  // namespace pgqpp::ext::triggers
