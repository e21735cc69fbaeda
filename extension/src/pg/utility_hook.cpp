// SPDX-License-Identifier: PostgreSQL
// pgqpp's one ProcessUtility_hook: see utility_hook.hpp. Owns no C++
// objects: standard_ProcessUtility may longjmp through it.
#include "pg/utility_hook.hpp"

extern "C" {
#include "tcop/utility.h"
}

namespace pgqpp::ext {

namespace {

constexpr int kMaxCallbacks = 4;
AfterUtility after[kMaxCallbacks];
int after_count = 0;
ProcessUtility_hook_type prev_process_utility = nullptr;

void on_process_utility(PlannedStmt* stmt, const char* query, bool read_only_tree,
                        ProcessUtilityContext context, ParamListInfo params, QueryEnvironment* env,
                        DestReceiver* dest, QueryCompletion* qc) {
  if (prev_process_utility != nullptr)
    prev_process_utility(stmt, query, read_only_tree, context, params, env, dest, qc);
  else
    standard_ProcessUtility(stmt, query, read_only_tree, context, params, env, dest, qc);
  for (int i = 0; i < after_count; ++i) after[i](stmt);
}

}  // namespace

void add_after_utility(AfterUtility callback) {
  if (after_count == kMaxCallbacks) elog(FATAL, "pgqpp: too many utility callbacks");
  if (after_count == 0) {
    prev_process_utility = ProcessUtility_hook;
    ProcessUtility_hook = on_process_utility;
  }
  after[after_count++] = callback;
}

}  // namespace pgqpp::ext
