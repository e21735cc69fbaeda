// SPDX-License-Identifier: PostgreSQL
// What an UPDATE changed, by PgQ's rules: two NULLs are equal; otherwise
// the type's "=" decides (arrays and records: their text forms). A change
// to a key column is refused: a consumer could not find the row it names.
#pragma once

#include "triggers/trigger_call.hpp"

namespace pgqpp::ext::triggers {

bool column_changed(const Column& col, Datum a, bool a_null, Datum b, bool b_null);

/// Raises "primary key update not allowed" for column `pos`.
[[noreturn]] void key_update_error(const TriggerCall& call, int pos);

/// Whether an UPDATE makes a logutriga or jsontriga event: not when
/// ignore= is given and every changed column is ignored (or _pgq_ev_*).
/// Updates that change nothing do make one, as in PgQ.
bool update_is_interesting(const TriggerCall& call);

}  // namespace pgqpp::ext::triggers
