// SPDX-License-Identifier: PostgreSQL
// Event fields that the table or the trigger supplies instead of the
// trigger's own, applied in PgQ's order once an event is due:
//  1. columns named _pgq_ev_type, _pgq_ev_data, _pgq_ev_extra1..4: the
//     row's value (NULL too) becomes the field;
//  2. ev_type=EXPR .. ev_extra4=EXPR: the expression's value (its text
//     form; NULL too) becomes the field;
//  3. when=EXPR: no event unless the expression is true.
// Expressions see the row the event is about (NEW, or OLD for DELETE) and
// run read-only in the statement's snapshot, as PgQ runs them.
#pragma once

#include "triggers/trigger_call.hpp"

namespace pgqpp::ext::triggers {

/// Applies 1. and 2. to `fields` and evaluates 3.; returns false when
/// when= says no event.
bool apply_field_overrides(const TriggerCall& call, EventFields* fields);

}  // namespace pgqpp::ext::triggers
