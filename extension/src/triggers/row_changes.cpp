// SPDX-License-Identifier: PostgreSQL
// Change detection for UPDATE events: see row_changes.hpp. Runs inside the
// trigger's pg_call: no C++ objects with destructors here.
#include "triggers/row_changes.hpp"

#include "triggers/row_payload.hpp"

namespace pgqpp::ext::triggers {

bool column_changed(const Column& col, Datum a, bool a_null, Datum b, bool b_null) {
  if (a_null || b_null) return a_null != b_null;
  if (!col.compare_as_text)
    return !DatumGetBool(FunctionCall2Coll(&col.equal, col.collation, a, b));
  char scratch_a[kTextScratch], scratch_b[kTextScratch];
  TextView ta = column_text(col, a, scratch_a);
  TextView tb = column_text(col, b, scratch_b);
  return ta.len != tb.len || memcmp(ta.data, tb.data, ta.len) != 0;
}

void key_update_error(const TriggerCall& call, int pos) {
  const TableMeta& t = *call.plan->table;
  ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("primary key update not allowed"),
                  errdetail("UPDATE changes key column \"%s\" of table %s.",
                            t.columns[pos].name.c_str(), t.full_name.c_str()),
                  errhint("Delete the row and insert it with the new key instead.")));
}

bool update_is_interesting(const TriggerCall& call) {
  const TriggerPlan& plan = *call.plan;
  const auto& columns = plan.table->columns;
  // PgQ compares all columns only when some are ignored; otherwise only
  // the key, to refuse key changes.
  bool compare_all = plan.args.ignore.has_value();
  bool ignored_changed = false, other_changed = false;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].dropped || !(plan.key[i] || compare_all)) continue;
    if (!column_changed(columns[i], call.old.values[i], call.old.nulls[i], call.row.values[i],
                        call.row.nulls[i]))
      continue;
    if (plan.key[i]) key_update_error(call, static_cast<int>(i));
    if (plan.skip[i]) {
      ignored_changed = true;
    } else {
      other_changed = true;
    }
  }
  return other_changed || !ignored_changed;
}

}  // namespace pgqpp::ext::triggers
