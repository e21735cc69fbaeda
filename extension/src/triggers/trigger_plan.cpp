// SPDX-License-Identifier: PostgreSQL
// Building a trigger's plan: see trigger_plan.hpp.
#include "triggers/trigger_plan.hpp"

#include <algorithm>

#include "core/expr_template.hpp"
#include "core/name_list.hpp"
#include "pg/bridge.hpp"
#include "pg/spi.hpp"

namespace pgqpp::ext::triggers {

namespace {

core::TriggerArgs parse_args(const Trigger* trigger, bool truncate) {
  std::vector<std::string> args(trigger->tgargs, trigger->tgargs + trigger->tgnargs);
  try {
    return core::parse_trigger_args(args, truncate);
  } catch (const core::TriggerArgError& e) {
    throw Error(ERRCODE_INVALID_PARAMETER_VALUE, e.what(), e.detail(), e.hint());
  }
}

// The key columns: pkey= if given (every name must be a column), else the
// primary key. Magic columns are never keys, as in PgQ.
void choose_key(TriggerPlan& plan) {
  const TableMeta& t = *plan.table;
  plan.key.assign(t.columns.size(), 0);
  if (!plan.args.pkey) {
    for (int pos : t.primary_key) plan.key[pos] = 1;
    plan.pkey_list = t.primary_key_list;
  } else {
    for (const std::string& name : core::split_names(*plan.args.pkey)) {
      int pos = 0;
      while (pos < static_cast<int>(t.columns.size()) &&
             (t.columns[pos].dropped || t.columns[pos].name != name))
        ++pos;
      if (pos == static_cast<int>(t.columns.size()))
        throw Error(ERRCODE_UNDEFINED_COLUMN,
                    "column \"" + name + "\" named in pkey= does not exist",
                    "Table " + t.full_name + " has no column \"" + name + "\".",
                    "List the table's key columns in the trigger's pkey= argument.");
      plan.key[pos] = 1;
    }
    plan.pkey_list = *plan.args.pkey;
  }
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    if (t.columns[i].magic_field != kNoMagic) plan.key[i] = 0;
    if (plan.key[i]) plan.has_key = true;
  }
}

void choose_payload_columns(TriggerPlan& plan) {
  const TableMeta& t = *plan.table;
  std::vector<std::string> ignored;
  if (plan.args.ignore) ignored = core::split_names(*plan.args.ignore);
  plan.skip.assign(t.columns.size(), 0);
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    const Column& c = t.columns[i];
    bool magic = !c.dropped && c.magic_field != kNoMagic;
    plan.has_magic = plan.has_magic || magic;
    plan.skip[i] =
        c.dropped || magic || std::find(ignored.begin(), ignored.end(), c.name) != ignored.end();
  }
}

SPIPlanPtr prepare_kept(const char* sql, const std::vector<Oid>& types) {
  spi::Session session;
  SPIPlanPtr plan = nullptr;
  return spi::prepare(plan, sql, types);
}

void prepare_expression(Expression& expr, const std::string& text, const TableMeta& table) {
  core::ExprTemplate tmpl;
  try {
    tmpl = core::expression_template(text, table.column_names());
  } catch (const core::ExprSyntaxError& e) {
    throw Error(ERRCODE_SYNTAX_ERROR, "QB: syntax error", e.what(),
                "Check the quoting of the trigger's when= and ev_*= expressions.");
  }
  std::vector<Oid> types;
  for (int pos : tmpl.params) types.push_back(table.columns[pos].type);
  expr.text = text;
  expr.params = std::move(tmpl.params);
  expr.plan = prepare_kept(tmpl.sql.c_str(), types);
}

void prepare_expressions(TriggerPlan& plan) {
  for (int f = 0; f < core::kEventFields; ++f) {
    if (plan.args.fields[f]) prepare_expression(plan.fields[f], *plan.args.fields[f], *plan.table);
  }
  if (plan.args.when) prepare_expression(plan.when, *plan.args.when, *plan.table);
  plan.has_expressions = plan.args.has_expressions();
}

}  // namespace

int op_index(core::Op op) {
  switch (op) {
    case core::Op::kInsert:
      return 0;
    case core::Op::kUpdate:
      return 1;
    case core::Op::kDelete:
      return 2;
    case core::Op::kTruncate:
      return 3;
  }
  return 0;
}

TriggerPlan::~TriggerPlan() {
  for (Expression* e :
       {&fields[0], &fields[1], &fields[2], &fields[3], &fields[4], &fields[5], &when}) {
    if (e->plan != nullptr) SPI_freeplan(e->plan);
  }
}

std::unique_ptr<TriggerPlan> build_trigger_plan(const Trigger* trigger,
                                                std::shared_ptr<const TableMeta> table,
                                                core::Format format, bool truncate) {
  auto plan = std::make_unique<TriggerPlan>();
  plan->table = std::move(table);
  plan->format = format;
  plan->truncate = truncate;
  plan->args = parse_args(trigger, truncate);
  choose_key(*plan);
  choose_payload_columns(*plan);
  for (core::Op op : {core::Op::kInsert, core::Op::kUpdate, core::Op::kDelete, core::Op::kTruncate})
    plan->ev_type[op_index(op)] =
        core::event_type(format, op, plan->table->schema, plan->table->name, plan->pkey_list);
  prepare_expressions(*plan);
  return plan;
}

}  // namespace pgqpp::ext::triggers
