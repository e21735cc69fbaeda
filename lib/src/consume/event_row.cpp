// SPDX-License-Identifier: PostgreSQL
#include "consume/event_row.hpp"

#include <string>

#include "pgqpp/error.hpp"
#include "text/binary_value.hpp"

namespace pgqpp::detail {

namespace {

// A column decoded by `decode`; sql_error when NULL or malformed.
template <class Decode>
auto required(const std::optional<std::string_view>& f, const char* column, Decode decode) {
  decltype(decode(std::string_view())) v;
  if (f) v = decode(*f);
  if (!v) throw_bad_batch_row(std::string(column) + " is missing or not of its type");
  return *v;
}

}  // namespace

void throw_bad_batch_row(const std::string& what) {
  error::Details d;
  d.message = "unexpected batch row: " + what;
  d.connection_usable = true;
  d.transaction_usable = true;
  throw sql_error(std::move(d));
}

void event_from_fields(EventFields f, Event& ev) {
  ev.id = required(f[0], "ev_id", text::be_int64);
  ev.time = required(f[1], "ev_time", text::timestamptz);
  ev.txid = required(f[2], "ev_txid", text::be_int64);
  ev.retry =
      f[3] ? std::optional<std::int32_t>(required(f[3], "ev_retry", text::be_int32)) : std::nullopt;
  ev.type = f[4];
  ev.data = f[5];
  ev.extra1 = f[6];
  ev.extra2 = f[7];
  ev.extra3 = f[8];
  ev.extra4 = f[9];
}

}  // namespace pgqpp::detail
