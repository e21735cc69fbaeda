// SPDX-License-Identifier: PostgreSQL
// One trigger call's event: see event_builder.hpp. Runs inside the
// trigger's pg_call: no C++ objects with destructors here.
#include "triggers/event_builder.hpp"

#include "triggers/field_overrides.hpp"
#include "triggers/row_changes.hpp"
#include "triggers/row_payload.hpp"
#include "triggers/sql_payload.hpp"

namespace pgqpp::ext::triggers {

namespace {

// A StringInfo whose bytes become a text Datum without a copy: it starts
// with room for the varlena header.
void text_buffer_init(StringInfo buf) {
  initStringInfo(buf);
  appendStringInfoSpaces(buf, VARHDRSZ);
}

Datum text_buffer_datum(StringInfo buf) {
  SET_VARSIZE(buf->data, buf->len);
  return PointerGetDatum(buf->data);
}

Datum text_datum(const std::string& s) {
  return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size())));
}

Row deform(TupleTableSlot* slot, HeapTuple tuple, TupleDesc desc) {
  Row row;
  if (slot != nullptr) {
    slot_getallattrs(slot);
    row.values = slot->tts_values;
    row.nulls = slot->tts_isnull;
  } else {
    row.values = static_cast<Datum*>(palloc(sizeof(Datum) * desc->natts));
    row.nulls = static_cast<bool*>(palloc(sizeof(bool) * desc->natts));
    heap_deform_tuple(tuple, desc, row.values, row.nulls);
  }
  return row;
}

TriggerCall make_call(const TriggerPlan& plan, TriggerData* tg, core::Op op) {
  TriggerCall call{&plan, tg, op, {}, {}};
  TupleDesc desc = RelationGetDescr(tg->tg_relation);
  if (op == core::Op::kUpdate) {
    call.old = deform(tg->tg_trigslot, tg->tg_trigtuple, desc);
    call.row = deform(tg->tg_newslot, tg->tg_newtuple, desc);
  } else if (op != core::Op::kTruncate) {
    call.row = deform(tg->tg_trigslot, tg->tg_trigtuple, desc);
  }
  return call;
}

// The payload in the trigger's format; false when an UPDATE makes no event.
bool append_payload(StringInfo buf, const TriggerCall& call) {
  bool update = call.op == core::Op::kUpdate;
  bool truncate = call.op == core::Op::kTruncate;
  switch (call.plan->format) {
    case core::Format::kUrlEncoded:
      if (update && !update_is_interesting(call)) return false;
      if (!truncate) append_urlencoded_row(buf, call, call.row);
      return true;
    case core::Format::kJson:
      if (update && !update_is_interesting(call)) return false;
      if (truncate) {
        appendStringInfoString(buf, "{}");
      } else {
        append_json_row(buf, call, call.row);
      }
      return true;
    case core::Format::kSql:
      if (call.op == core::Op::kInsert) append_sql_insert(buf, call);
      if (call.op == core::Op::kDelete) append_sql_delete(buf, call);
      return !update || append_sql_update(buf, call);
  }
  return true;
}

// The old row for ev_extra2: JSON for jsontriga, URL-encoded otherwise.
Datum backup(const TriggerCall& call) {
  StringInfoData buf;
  text_buffer_init(&buf);
  if (call.plan->format == core::Format::kJson) {
    append_json_row(&buf, call, call.old);
  } else {
    append_urlencoded_row(&buf, call, call.old);
  }
  return text_buffer_datum(&buf);
}

}  // namespace

bool build_event(const TriggerPlan& plan, TriggerData* tg, core::Op op, EventFields* fields) {
  TriggerCall call = make_call(plan, tg, op);
  StringInfoData data;
  text_buffer_init(&data);
  if (!append_payload(&data, call)) return false;
  for (int f = 0; f < core::kEventFields; ++f) {
    fields->values[f] = 0;
    fields->nulls[f] = true;
  }
  auto set = [fields](int f, Datum value) {
    fields->values[f] = value;
    fields->nulls[f] = false;
  };
  set(core::kFieldType, text_datum(plan.ev_type[op_index(op)]));
  set(core::kFieldData, text_buffer_datum(&data));
  set(core::kFieldExtra1, text_datum(plan.table->full_name));
  if (plan.args.backup && op == core::Op::kUpdate) set(core::kFieldExtra2, backup(call));
  return apply_field_overrides(call, fields);
}

}  // namespace pgqpp::ext::triggers
