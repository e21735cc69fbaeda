// SPDX-License-Identifier: PostgreSQL
// Magic columns and trigger expressions: see field_overrides.hpp. Runs
// inside the trigger's pg_call: no C++ objects with destructors here.
#include "triggers/field_overrides.hpp"

#include "pg/spi.hpp"
#include "triggers/row_payload.hpp"

namespace pgqpp::ext::triggers {

namespace {

void apply_magic_columns(const TriggerCall& call, EventFields* fields) {
  const auto& columns = call.plan->table->columns;
  for (size_t i = 0; i < columns.size(); ++i) {
    const Column& col = columns[i];
    if (col.dropped || col.magic_field == kNoMagic) continue;
    if (col.magic_field == kUnknownMagic)
      ereport(ERROR, (errcode(ERRCODE_INVALID_COLUMN_DEFINITION),
                      errmsg("Unknown magic column: %s", col.name.c_str()),
                      errdetail("Columns named _pgq_ev_* of table %s set event fields.",
                                call.plan->table->full_name.c_str()),
                      errhint("Use _pgq_ev_type, _pgq_ev_data or _pgq_ev_extra1 .. _pgq_ev_extra4, "
                              "or rename the column.")));
    int f = col.magic_field;
    fields->nulls[f] = call.row.nulls[i];
    fields->values[f] = 0;
    if (call.row.nulls[i]) continue;
    char scratch[kTextScratch];
    TextView v = column_text(col, call.row.values[i], scratch);
    fields->values[f] = PointerGetDatum(cstring_to_text_with_len(v.data, static_cast<int>(v.len)));
  }
}

// Runs the expression's query over the row; leaves its one result row in
// SPI_tuptable.
void run_expression(const TriggerCall& call, const Expression& expr) {
  int n = static_cast<int>(expr.params.size());
  Datum* values = static_cast<Datum*>(palloc0(sizeof(Datum) * (n + 1)));
  char* nulls = static_cast<char*>(palloc0(n + 1));
  for (int p = 0; p < n; ++p) {
    int pos = expr.params[p];
    values[p] = call.row.values[pos];
    nulls[p] = call.row.nulls[pos] ? 'n' : ' ';
  }
  int rc = SPI_execute_plan(expr.plan, values, nulls, true, 0);
  if (rc != SPI_OK_SELECT)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("Override query failed"),
                    errdetail("Expression \"%s\" is not a plain value (%s).", expr.text.c_str(),
                              SPI_result_code_string(rc))));
  if (SPI_processed != 1)
    ereport(ERROR,
            (errcode(ERRCODE_CARDINALITY_VIOLATION),
             errmsg("Expect 1 row from override query, got %d", static_cast<int>(SPI_processed)),
             errdetail("Expression \"%s\" must give one value.", expr.text.c_str())));
}

// The expression's value as a text Datum in `cxt`, or null.
void take_value(MemoryContext cxt, Datum* value, bool* isnull) {
  char* text = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
  *isnull = text == nullptr;
  if (*isnull) return;
  MemoryContext old = MemoryContextSwitchTo(cxt);
  *value = CStringGetTextDatum(text);
  MemoryContextSwitchTo(old);
}

bool when_holds(const Expression& when) {
  Oid type = SPI_gettypeid(SPI_tuptable->tupdesc, 1);
  if (type != BOOLOID)
    ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                    errmsg("when= query result must be boolean, got=%u", type),
                    errdetail("Expression \"%s\" is of type %s.", when.text.c_str(),
                              format_type_be(type))));
  bool isnull = false;
  Datum value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
  if (isnull)
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("when= should not be NULL"),
                    errdetail("Expression \"%s\" gave NULL.", when.text.c_str()),
                    errhint("Use coalesce() to decide what NULL means.")));
  return DatumGetBool(value);
}

bool apply_expressions(const TriggerCall& call, EventFields* fields) {
  const TriggerPlan& plan = *call.plan;
  MemoryContext cxt = CurrentMemoryContext;
  spi::connect_in_pg_call();
  for (int f = 0; f < core::kEventFields; ++f) {
    if (plan.fields[f].plan == nullptr) continue;
    run_expression(call, plan.fields[f]);
    take_value(cxt, &fields->values[f], &fields->nulls[f]);
  }
  bool keep = true;
  if (plan.when.plan != nullptr) {
    run_expression(call, plan.when);
    keep = when_holds(plan.when);
  }
  SPI_finish();
  return keep;
}

}  // namespace

bool apply_field_overrides(const TriggerCall& call, EventFields* fields) {
  if (call.plan->has_magic) apply_magic_columns(call, fields);
  return !call.plan->has_expressions || apply_expressions(call, fields);
}

}  // namespace pgqpp::ext::triggers
