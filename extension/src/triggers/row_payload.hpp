// SPDX-License-Identifier: PostgreSQL
// The row payloads: URL-encoded (logutriga, and every backup in ev_extra2
// but jsontriga's) and JSON (jsontriga). Columns in table order, minus the
// skipped ones (dropped, ignore=, _pgq_ev_*).
#pragma once

#include "triggers/trigger_call.hpp"

namespace pgqpp::ext::triggers {

/// name=value&name2=value2; a NULL value is the bare name.
void append_urlencoded_row(StringInfo buf, const TriggerCall& call, const Row& row);

/// {"name":value,...}: int2/int4/int8 as numbers, bool as true/false,
/// date/timestamp/timestamptz in ISO 8601 (as to_json writes them), NULL as
/// null, everything else as a string of the type's text form.
void append_json_row(StringInfo buf, const TriggerCall& call, const Row& row);

/// A column value's text form, exactly as its type's output function
/// writes it: `len` bytes at `data` (not NUL-terminated).
struct TextView {
  const char* data;
  size_t len;
};

/// Room for the integer forms of column_text().
constexpr size_t kTextScratch = MAXINT8LEN + 1;

/// The value's text form; `scratch` (kTextScratch bytes) may hold it.
TextView column_text(const Column& col, Datum value, char* scratch);

}  // namespace pgqpp::ext::triggers
