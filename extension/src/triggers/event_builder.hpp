// SPDX-License-Identifier: PostgreSQL
// Makes the event of one trigger call: ev_type, the payload in the
// trigger's format, the table name in ev_extra1, the backup in ev_extra2,
// then the table's and the trigger's field overrides.
#pragma once

#include "triggers/trigger_call.hpp"

namespace pgqpp::ext::triggers {

/// Fills `fields`; returns false when the call makes no event (an UPDATE
/// of ignored columns only, or when= false). PostgreSQL errors longjmp out:
/// call it through pg_call.
bool build_event(const TriggerPlan& plan, TriggerData* tg, core::Op op, EventFields* fields);

}  // namespace pgqpp::ext::triggers
