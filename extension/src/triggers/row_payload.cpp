// SPDX-License-Identifier: PostgreSQL
// Row payloads for logutriga and jsontriga: see row_payload.hpp. Runs inside
// the trigger's pg_call: no C++ objects with destructors here.
#include "triggers/row_payload.hpp"

#include "core/payload_encoding.hpp"

extern "C" {
#include "utils/datetime.h"
#include "utils/json.h"
}

namespace pgqpp::ext::triggers {

namespace {

void append_view(StringInfo buf, TextView v) {
  appendBinaryStringInfo(buf, v.data, static_cast<int>(v.len));
}

void append_name(StringInfo buf, const std::string& name) {
  appendBinaryStringInfo(buf, name.data(), static_cast<int>(name.size()));
}

void append_json_value(StringInfo buf, const Column& col, Datum value) {
  char scratch[kTextScratch];
  switch (col.json) {
    case JsonKind::kBool:
      appendStringInfoString(buf, DatumGetBool(value) ? "true" : "false");
      return;
    case JsonKind::kInt16:
    case JsonKind::kInt32:
    case JsonKind::kInt64:
      append_view(buf, column_text(col, value, scratch));
      return;
    case JsonKind::kDateTime: {
      char date[MAXDATELEN + 1];
      JsonEncodeDateTime(date, value, col.type, nullptr);
      appendStringInfoChar(buf, '"');
      appendStringInfoString(buf, date);
      appendStringInfoChar(buf, '"');
      return;
    }
    case JsonKind::kString: {
      TextView v = column_text(col, value, scratch);
      append_encoded(buf, v.data, v.len, core::json_string_max(v.len), core::json_string);
      return;
    }
  }
}

}  // namespace

TextView column_text(const Column& col, Datum value, char* scratch) {
  switch (col.text) {
    case TextForm::kVarlenaBytes: {
      text* t = DatumGetTextPP(value);
      return {VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)};
    }
    case TextForm::kInt16:
      return {scratch, static_cast<size_t>(pg_itoa(DatumGetInt16(value), scratch))};
    case TextForm::kInt32:
      return {scratch, static_cast<size_t>(pg_ltoa(DatumGetInt32(value), scratch))};
    case TextForm::kInt64:
      return {scratch, static_cast<size_t>(pg_lltoa(DatumGetInt64(value), scratch))};
    case TextForm::kBool:
      return {DatumGetBool(value) ? "t" : "f", 1};
    case TextForm::kOutputFunction:
      break;
  }
  char* s = OutputFunctionCall(&col.output, value);
  return {s, strlen(s)};
}

void append_urlencoded_row(StringInfo buf, const TriggerCall& call, const Row& row) {
  const TriggerPlan& plan = *call.plan;
  const auto& columns = plan.table->columns;
  char scratch[kTextScratch];
  bool first = true;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (plan.skip[i]) continue;
    if (!first) appendStringInfoChar(buf, '&');
    first = false;
    append_name(buf, columns[i].url_name);
    if (row.nulls[i]) continue;
    appendStringInfoChar(buf, '=');
    TextView v = column_text(columns[i], row.values[i], scratch);
    append_encoded(buf, v.data, v.len, core::url_encode_max(v.len), core::url_encode);
  }
}

void append_json_row(StringInfo buf, const TriggerCall& call, const Row& row) {
  const TriggerPlan& plan = *call.plan;
  const auto& columns = plan.table->columns;
  bool first = true;
  appendStringInfoChar(buf, '{');
  for (size_t i = 0; i < columns.size(); ++i) {
    if (plan.skip[i]) continue;
    if (!first) appendStringInfoChar(buf, ',');
    first = false;
    append_name(buf, columns[i].json_key);
    if (row.nulls[i]) {
      appendStringInfoString(buf, "null");
    } else {
      append_json_value(buf, columns[i], row.values[i]);
    }
  }
  appendStringInfoChar(buf, '}');
}

}  // namespace pgqpp::ext::triggers
