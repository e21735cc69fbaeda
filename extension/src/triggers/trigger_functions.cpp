// SPDX-License-Identifier: PostgreSQL
// The change-capture triggers' entry points: pgq.logutriga (URL-encoded
// rows), pgq.sqltriga (partial SQL) and pgq.jsontriga (JSON), with PgQ
// 3.5's arguments, checks, error texts and events. docs/triggers.md
// describes them; PgQ's texts are kept where PgQ has one, each with a
// specific SQLSTATE instead of PgQ's internal error.
#include <memory>
#include <string>

#include "pg/bridge.hpp"
#include "triggers/event_builder.hpp"
#include "triggers/event_sink.hpp"
#include "triggers/trigger_cache.hpp"

namespace pgqpp::ext::triggers {

namespace {

core::Op operation(const TriggerData* tg) {
  if (TRIGGER_FIRED_BY_INSERT(tg->tg_event)) return core::Op::kInsert;
  if (TRIGGER_FIRED_BY_UPDATE(tg->tg_event)) return core::Op::kUpdate;
  if (TRIGGER_FIRED_BY_DELETE(tg->tg_event)) return core::Op::kDelete;
  if (TRIGGER_FIRED_BY_TRUNCATE(tg->tg_event)) return core::Op::kTruncate;
  throw Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "unknown event for pgq trigger");
}

TriggerData* trigger_data(FunctionCallInfo fcinfo, const char* function) {
  if (!CALLED_AS_TRIGGER(fcinfo))
    throw Error(
        ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, std::string(function) + " not called as trigger",
        "It is a trigger function; it cannot be called directly.",
        std::string("Use it in CREATE TRIGGER ... EXECUTE FUNCTION ") + function + "('queue').");
  return reinterpret_cast<TriggerData*>(fcinfo->context);
}

void check_row_level(const TriggerData* tg) {
  if (!TRIGGER_FIRED_BY_TRUNCATE(tg->tg_event) && !TRIGGER_FIRED_FOR_ROW(tg->tg_event))
    throw Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
                "pgq Ins/Upd/Del trigger must be fired FOR EACH ROW",
                std::string("Trigger \"") + tg->tg_trigger->tgname + "\" is a statement trigger.",
                "Create it FOR EACH ROW; only TRUNCATE triggers are FOR EACH STATEMENT.");
}

// What the trigger returns: nothing after the fact or when the change is to
// be skipped, else the row, unchanged.
Datum trigger_result(const TriggerData* tg, bool skip) {
  if (TRIGGER_FIRED_AFTER(tg->tg_event) || skip) return PointerGetDatum(nullptr);
  return PointerGetDatum(TRIGGER_FIRED_BY_UPDATE(tg->tg_event) ? tg->tg_newtuple
                                                               : tg->tg_trigtuple);
}

// PgQ's checks before an event is made, in PgQ's order.
void check_call(const TriggerPlan& plan, const TriggerData* tg, core::Op op) {
  const TableMeta& t = *plan.table;
  if ((op == core::Op::kUpdate || op == core::Op::kDelete) && !plan.has_key)
    throw Error(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, "Update/Delete on table without pkey",
                "Table " + t.full_name + " has no primary key, and trigger \"" +
                    tg->tg_trigger->tgname + "\" names no pkey= columns.",
                "Add a primary key to the table, or give the trigger a pkey= argument.");
  if (plan.args.skip && TRIGGER_FIRED_AFTER(tg->tg_event))
    throw Error(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED, "SKIP does not work in AFTER trigger.",
                std::string("Trigger \"") + tg->tg_trigger->tgname + "\" is an AFTER trigger.",
                "Create the trigger BEFORE the change to skip it.");
  if (plan.args.deny)
    throw Error(ERRCODE_TRIGGERED_ACTION_EXCEPTION,
                "Table '" + t.full_name + "' to queue '" + plan.args.queue +
                    "': change not allowed (" + core::op_name(op) + ")",
                std::string("Trigger \"") + tg->tg_trigger->tgname + "\" has the deny option.");
}

Datum fire(FunctionCallInfo fcinfo, core::Format format, const char* function) {
  TriggerData* tg = trigger_data(fcinfo, function);
  // PgQ's rule: in the "local" replication role the triggers stand aside,
  // before they look at anything else.
  if (SessionReplicationRole == SESSION_REPLICATION_ROLE_LOCAL) return trigger_result(tg, false);
  check_row_level(tg);
  core::Op op = operation(tg);
  std::shared_ptr<const TriggerPlan> plan = trigger_plan_for(tg, format, op == core::Op::kTruncate);
  check_call(*plan, tg, op);
  EventFields fields;
  if (pg_call([&] { return build_event(*plan, tg, op, &fields); }))
    insert_trigger_event(plan->args.queue, fields);
  return trigger_result(tg, plan->args.skip);
}

}  // namespace

}  // namespace pgqpp::ext::triggers

using pgqpp::ext::core::Format;
using pgqpp::ext::triggers::fire;

/// pgq.logutriga(): events with the row URL-encoded.
PGQPP_FUNCTION(pgqpp_logutriga) { return fire(fcinfo, Format::kUrlEncoded, "pgq.logutriga"); }

/// pgq.sqltriga(): events with partial SQL.
PGQPP_FUNCTION(pgqpp_sqltriga) { return fire(fcinfo, Format::kSql, "pgq.sqltriga"); }

/// pgq.jsontriga(): events with the row as JSON.
PGQPP_FUNCTION(pgqpp_jsontriga) { return fire(fcinfo, Format::kJson, "pgq.jsontriga"); }
