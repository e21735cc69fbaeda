// SPDX-License-Identifier: PostgreSQL
// sqltriga's partial SQL: see sql_payload.hpp. Runs inside the trigger's
// pg_call: no C++ objects with destructors here.
#include "triggers/sql_payload.hpp"

#include "core/payload_encoding.hpp"
#include "triggers/row_changes.hpp"
#include "triggers/row_payload.hpp"

extern "C" {
#include "utils/builtins.h"
}

namespace pgqpp::ext::triggers {

namespace {

void append_name(StringInfo buf, const Column& col) {
  const std::string& name = quote_all_identifiers ? col.sql_name_quoted : col.sql_name;
  appendBinaryStringInfo(buf, name.data(), static_cast<int>(name.size()));
}

void append_literal(StringInfo buf, const Column& col, Datum value) {
  char scratch[kTextScratch];
  TextView v = column_text(col, value, scratch);
  append_encoded(buf, v.data, v.len, core::sql_literal_max(v.len), core::sql_literal);
}

// name='value' for a key column; a key must not be NULL.
void append_key_eq(StringInfo buf, const TriggerCall& call, int pos, const Row& row) {
  const Column& col = call.plan->table->columns[pos];
  if (row.nulls[pos])
    ereport(ERROR,
            (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("logtriga: Unexpected NULL key value"),
             errdetail("Key column \"%s\" of table %s is NULL.", col.name.c_str(),
                       call.plan->table->full_name.c_str()),
             errhint("Key columns given with pkey= must not be NULL.")));
  append_name(buf, col);
  appendStringInfoChar(buf, '=');
  append_literal(buf, col, row.values[pos]);
}

// The key columns in table order, joined by " and ".
void append_key_condition(StringInfo buf, const TriggerCall& call, const Row& row) {
  const TriggerPlan& plan = *call.plan;
  bool first = true;
  for (size_t i = 0; i < plan.key.size(); ++i) {
    if (!plan.key[i]) continue;
    if (!first) appendStringInfoString(buf, " and ");
    first = false;
    append_key_eq(buf, call, static_cast<int>(i), row);
  }
}

int first_key_column(const TriggerPlan& plan) {
  for (size_t i = 0; i < plan.key.size(); ++i) {
    if (plan.key[i]) return static_cast<int>(i);
  }
  return -1;  // not reached: UPDATE events require a key
}

}  // namespace

void append_sql_insert(StringInfo buf, const TriggerCall& call) {
  const TriggerPlan& plan = *call.plan;
  const auto& columns = plan.table->columns;
  appendStringInfoChar(buf, '(');
  bool first = true;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (plan.skip[i]) continue;
    if (!first) appendStringInfoChar(buf, ',');
    first = false;
    append_name(buf, columns[i]);
  }
  appendStringInfoString(buf, ") values (");
  first = true;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (plan.skip[i]) continue;
    if (!first) appendStringInfoChar(buf, ',');
    first = false;
    if (call.row.nulls[i]) {
      appendStringInfoString(buf, "null");
    } else {
      append_literal(buf, columns[i], call.row.values[i]);
    }
  }
  appendStringInfoChar(buf, ')');
}

bool append_sql_update(StringInfo buf, const TriggerCall& call) {
  const TriggerPlan& plan = *call.plan;
  const auto& columns = plan.table->columns;
  bool any_set = false, skipped_changed = false;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].dropped) continue;
    if (!column_changed(columns[i], call.old.values[i], call.old.nulls[i], call.row.values[i],
                        call.row.nulls[i]))
      continue;
    if (plan.key[i]) key_update_error(call, static_cast<int>(i));
    if (plan.skip[i]) {
      skipped_changed = true;
      continue;
    }
    if (any_set) appendStringInfoChar(buf, ',');
    any_set = true;
    append_name(buf, columns[i]);
    appendStringInfoChar(buf, '=');
    if (call.row.nulls[i]) {
      appendStringInfoString(buf, "NULL");
    } else {
      append_literal(buf, columns[i], call.row.values[i]);
    }
  }
  if (!any_set) {
    if (skipped_changed) return false;
    append_key_eq(buf, call, first_key_column(plan), call.old);
  }
  appendStringInfoString(buf, " where ");
  append_key_condition(buf, call, call.old);
  return true;
}

void append_sql_delete(StringInfo buf, const TriggerCall& call) {
  append_key_condition(buf, call, call.row);
}

}  // namespace pgqpp::ext::triggers
