// SPDX-License-Identifier: PostgreSQL
// Trigger event types: see event_type.hpp.
#include "core/event_type.hpp"

#include "core/name_list.hpp"
#include "core/payload_encoding.hpp"

namespace pgqpp::ext::core {

const char* op_name(Op op) {
  switch (op) {
    case Op::kInsert:
      return "INSERT";
    case Op::kUpdate:
      return "UPDATE";
    case Op::kDelete:
      return "DELETE";
    case Op::kTruncate:
      return "TRUNCATE";
  }
  return "?";
}

namespace {

std::string json_type(Op op, std::string_view schema, std::string_view table,
                      std::string_view pkey_list) {
  std::string out = "{\"op\":\"";
  out += op_name(op);
  out += "\",\"table\":[" + json_string(schema) + "," + json_string(table) + "],\"pkey\":[";
  bool first = true;
  for (const std::string& key : split_on_commas(pkey_list)) {
    if (!first) out += ',';
    first = false;
    out += json_string(key);
  }
  out += "]}";
  return out;
}

}  // namespace

std::string event_type(Format format, Op op, std::string_view schema, std::string_view table,
                       std::string_view pkey_list) {
  std::string letter(1, static_cast<char>(op));
  switch (format) {
    case Format::kUrlEncoded:
      return op == Op::kTruncate ? letter : letter + ":" + std::string(pkey_list);
    case Format::kSql:
      return letter;
    case Format::kJson:
      return json_type(op, schema, table, pkey_list);
  }
  return letter;
}

}  // namespace pgqpp::ext::core
