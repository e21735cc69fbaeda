// SPDX-License-Identifier: PostgreSQL
// One trigger call as the event builders see it: plain data, no
// destructors, so that the builders may let PostgreSQL errors longjmp
// through them (they run inside one pg_call from the trigger's entry point).
#pragma once

#include "core/trigger_args.hpp"
#include "triggers/trigger_plan.hpp"

namespace pgqpp::ext::triggers {

/// A row's values by attribute number - 1.
struct Row {
  Datum* values = nullptr;
  bool* nulls = nullptr;
};

struct TriggerCall {
  const TriggerPlan* plan;
  TriggerData* tg;
  core::Op op;
  Row row;  // the row the event is about: NEW for INSERT and UPDATE, OLD for DELETE
  Row old;  // OLD, for UPDATE only
};

/// The event's text fields (ev_type, ev_data, ev_extra1..4) as text Datums.
struct EventFields {
  Datum values[core::kEventFields];
  bool nulls[core::kEventFields];
};

/// One of core's raw encoders (url_encode, sql_literal, json_string).
using RawEncoder = size_t (*)(const char*, size_t, char*) noexcept;

/// Appends s (n bytes) through a raw encoder, given its bound. Values whose
/// encoding could pass PostgreSQL's 1 GB allocation limit are refused with
/// a clear error rather than a failed allocation.
inline void append_encoded(StringInfo buf, const char* s, size_t n, size_t max, RawEncoder encode) {
  if (max >= MaxAllocSize - static_cast<size_t>(buf->len))
    ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                    errmsg("trigger event payload would exceed 1 GB"),
                    errdetail("A value of %zu bytes does not fit once encoded.", n)));
  enlargeStringInfo(buf, static_cast<int>(max));
  buf->len += static_cast<int>(encode(s, n, buf->data + buf->len));
  buf->data[buf->len] = '\0';
}

}  // namespace pgqpp::ext::triggers
