// SPDX-License-Identifier: PostgreSQL
// Puts a trigger's event into its queue as PgQ's triggers do: through
// pgq.insert_event(queue, ev_type, ev_data, ev_extra1..4).
//
// While that function is pgqpp's own (looked up once, and again after any
// change to pg_proc), the event is written directly, without SQL: the same
// permission check (EXECUTE on the function, which pgq_writer has), the same
// queue settings and id numbering, and the write done with the function's
// owner's rights, as its SECURITY DEFINER does. Once an installation has
// replaced the function (to route, audit or filter events), or altered it,
// the trigger calls it through SPI with the statement PgQ uses, so the
// replacement sees every event PgQ's triggers would give it.
#pragma once

#include <string>

#include "triggers/trigger_call.hpp"

namespace pgqpp::ext::triggers {

/// Registers the invalidation callback for the cached function lookup;
/// called once from _PG_init.
void event_sink_init();

/// Whether pgq.insert_event(text x 7) is no longer pgqpp's own function
/// (replaced, altered or dropped). Cached as above: no lookup unless pg_proc
/// changed. The three-argument pgq.insert_event asks it, to call a
/// replacement as PgQ's does.
bool insert_event_replaced();

/// Inserts the event. Throws Error or PgError.
void insert_trigger_event(const std::string& queue_name, const EventFields& fields);

}  // namespace pgqpp::ext::triggers
