// SPDX-License-Identifier: PostgreSQL
// Batch reads through kept plans: see events_plan.hpp.
#include "functions/events_plan.hpp"

#include <array>
#include <string>
#include <vector>

#include "core/batch_query.hpp"
#include "pg/bridge.hpp"
#include "pg/datum_array.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "nodes/params.h"
}

namespace pgqpp::ext {
namespace {

// A consumer's backend reads one queue, or a few: a handful of plans covers
// them, each table set of a queue in turn as its tables rotate. The least
// recently used one gives way.
constexpr std::size_t kPlans = 8;

struct KeptPlan {
  std::string sql;
  SPIPlanPtr plan = nullptr;
  uint64 used = 0;
};
std::array<KeptPlan, kPlans> plans;
uint64 use_clock = 0;

SPIPlanPtr plan_for(const std::string& sql) {
  KeptPlan* slot = &plans[0];
  for (KeptPlan& p : plans) {
    if (p.plan != nullptr && p.sql == sql) {
      p.used = ++use_clock;
      return p.plan;
    }
    if (p.used < slot->used) slot = &p;
  }
  if (slot->plan != nullptr) {
    SPIPlanPtr old = slot->plan;
    slot->plan = nullptr;
    slot->sql.clear();
    pg_call([&] { SPI_freeplan(old); });
  }
  slot->sql = sql;
  // Planned per call (as PgQ's EXECUTE of the batch query is): the event
  // table grows from empty after every rotation, and a generic plan made
  // while it was small would keep scanning all of it
  // (tests/cluster/batch_read_plan_test.cpp).
  spi::prepare(slot->plan, sql.c_str(), {INT8OID, INT8OID, INT8ARRAYOID, INT8ARRAYOID, INT4OID},
               spi::PlanMode::custom);
  slot->used = ++use_clock;
  return slot->plan;
}

}  // namespace

void read_batch_events(const OpenBatch& b, DestReceiver* dest) {
  SPIPlanPtr plan = plan_for(core::batch_events_param_sql(b.tables));
  Datum exclude = pg_array::int8_array_of_ids(b.filter.exclude);
  Datum listed = pg_array::int8_array_of_ids(b.filter.listed);
  const Datum values[5] = {Int64GetDatum(static_cast<int64>(b.filter.range_lo)),
                           Int64GetDatum(static_cast<int64>(b.filter.range_hi)), exclude, listed,
                           Int32GetDatum(b.sub_id)};
  static const Oid types[5] = {INT8OID, INT8OID, INT8ARRAYOID, INT8ARRAYOID, INT4OID};
  int rc = pg_call([&] {
    ParamListInfo params = makeParamList(5);
    for (int i = 0; i < 5; ++i) {
      params->params[i].value = values[i];
      params->params[i].isnull = false;
      params->params[i].pflags = PARAM_FLAG_CONST;
      params->params[i].ptype = types[i];
    }
    SPIExecuteOptions options;
    memset(&options, 0, sizeof(options));
    options.params = params;
    // Not read-only, as before: a fresh snapshot sees a batch that
    // next_batch opened earlier in the same statement.
    options.read_only = false;
    options.dest = dest;
    return SPI_execute_plan_extended(plan, &options);
  });
  if (rc < 0)
    throw Error(ERRCODE_INTERNAL_ERROR,
                std::string("SPI_execute_plan_extended failed: ") + SPI_result_code_string(rc));
}

}  // namespace pgqpp::ext
