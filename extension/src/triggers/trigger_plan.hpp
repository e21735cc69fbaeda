// SPDX-License-Identifier: PostgreSQL
// Everything one trigger (one pg_trigger row) needs to make its events,
// derived once from its arguments and its table's metadata: which columns
// go into the payload, which are the key, the ev_type of each operation,
// and the prepared queries of its when= and ev_*= expressions.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "core/event_type.hpp"
#include "core/trigger_args.hpp"
#include "triggers/table_meta.hpp"

namespace pgqpp::ext::triggers {

/// A when= or ev_*= expression, prepared as "select EXPR" with the
/// referenced columns as parameters.
struct Expression {
  SPIPlanPtr plan = nullptr;  // kept (SPI_keepplan); nullptr when not given
  std::vector<int> params;    // column position of each parameter
  std::string text;           // as the user wrote it, for error messages
};

struct TriggerPlan {
  std::shared_ptr<const TableMeta> table;
  core::Format format = core::Format::kUrlEncoded;
  bool truncate = false;  // fired for TRUNCATE (parsed as such)
  core::TriggerArgs args;
  std::string pkey_list;   // the key columns as PgQ lists them
  std::vector<char> skip;  // per column: left out of payloads
  std::vector<char> key;   // per column: a key column
  bool has_key = false;
  bool has_magic = false;              // some column is named _pgq_ev_*
  std::array<std::string, 4> ev_type;  // by op_index()
  std::array<Expression, core::kEventFields> fields;
  Expression when;
  bool has_expressions = false;

  TriggerPlan() = default;
  TriggerPlan(const TriggerPlan&) = delete;
  TriggerPlan& operator=(const TriggerPlan&) = delete;
  ~TriggerPlan();
};

/// Index of an operation in TriggerPlan::ev_type.
int op_index(core::Op op);

/// Builds the plan of trigger `trigger` on the table described by `table`.
/// Throws Error (bad arguments, unknown pkey= columns) or PgError.
std::unique_ptr<TriggerPlan> build_trigger_plan(const Trigger* trigger,
                                                std::shared_ptr<const TableMeta> table,
                                                core::Format format, bool truncate);

}  // namespace pgqpp::ext::triggers
