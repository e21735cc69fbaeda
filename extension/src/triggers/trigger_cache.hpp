// SPDX-License-Identifier: PostgreSQL
// The backend-local cache of trigger plans and table metadata.
//
// Entries are keyed by table and trigger. A relcache invalidation for the
// table (ALTER TABLE, a new or dropped primary key, CREATE/DROP TRIGGER,
// CREATE OR REPLACE TRIGGER) or for all relations, and any change to a
// schema (a renamed schema renames the tables' events), marks entries
// stale; the next trigger call rebuilds them. The callbacks never free
// anything: a plan in use by a running trigger call (which may nest, when
// an expression modifies another table) stays alive through the
// shared_ptr that call holds.
#pragma once

#include <memory>

#include "triggers/trigger_plan.hpp"

namespace pgqpp::ext::triggers {

/// Registers the invalidation callbacks; called once from _PG_init.
void trigger_cache_init();

/// The plan of the trigger being fired. Throws Error or PgError.
std::shared_ptr<const TriggerPlan> trigger_plan_for(TriggerData* tg, core::Format format,
                                                    bool truncate);

}  // namespace pgqpp::ext::triggers
