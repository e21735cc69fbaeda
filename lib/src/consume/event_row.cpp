#include "consume/event_row.hpp"

#include <string>

#include "pgqpp/error.hpp"
#include "text/number.hpp"

namespace pgqpp::detail {

namespace {

[[noreturn]] void bad_row(const char* column) {
  throw_bad_batch_row(std::string(column) + " is missing or not a number");
}

template <class T>
T required(const std::optional<std::string_view>& f, const char* column) {
  std::optional<T> v;
  if (f) v = text::parse_integer<T>(*f);
  if (!v) bad_row(column);
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
  ev.id = required<std::int64_t>(f[0], "ev_id");
  ev.time = f[1].value_or(std::string_view());
  ev.txid = required<std::int64_t>(f[2], "ev_txid");
  ev.retry = f[3] ? std::optional<std::int32_t>(required<std::int32_t>(f[3], "ev_retry")) : std::nullopt;
  ev.type = f[4];
  ev.data = f[5];
  ev.extra1 = f[6];
  ev.extra2 = f[7];
  ev.extra3 = f[8];
  ev.extra4 = f[9];
}

}  // namespace pgqpp::detail
