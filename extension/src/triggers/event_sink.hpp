// Puts a trigger's event into its queue exactly as
// pgq.insert_event(queue, ev_type, ev_data, ev_extra1..4) would, without
// going through SQL: the same permission check (EXECUTE on that function,
// which pgq_writer has), the same queue settings, and the write done with
// the function's owner's rights, as its SECURITY DEFINER does.
#pragma once

#include <string>

#include "triggers/trigger_call.hpp"

namespace pgqpp::ext::triggers {

/// Registers the invalidation callback for the cached function lookup;
/// called once from _PG_init.
void event_sink_init();

/// Inserts the event. Throws Error or PgError.
void insert_trigger_event(const std::string& queue_name, const EventFields& fields);

}  // namespace pgqpp::ext::triggers
