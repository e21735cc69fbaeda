// SPDX-License-Identifier: PostgreSQL
// The arguments of pgq.logutriga / sqltriga / jsontriga, parsed as PgQ 3.5
// parses them: the queue name first, then options in any order.
//
//   SKIP            BEFORE trigger only: log the change, then skip it
//   backup          UPDATE events carry the old row in ev_extra2
//   deny            refuse every change to the table
//   ignore=a,b      columns left out of the payload; an UPDATE that changes
//                   only ignored columns makes no event
//   pkey=a,b        the key columns, instead of the primary key
//   when=EXPR       make an event only when EXPR (over the row) is true
//   ev_type=EXPR, ev_data=EXPR, ev_extra1=EXPR .. ev_extra4=EXPR
//                   the event field is EXPR's value instead
//
// Words are case-sensitive, as in PgQ ("SKIP", but "backup" and "deny").
// As in PgQ, a repeated ignore= or pkey= replaces the earlier one, while of
// repeated expressions for the same field (or when=) the first one counts.
#pragma once

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace pgqpp::ext::core {

/// The text fields of an event, in pgq.event_template order.
enum EventField { kFieldType, kFieldData, kFieldExtra1, kFieldExtra2, kFieldExtra3, kFieldExtra4 };
constexpr int kEventFields = 6;

/// The column names that override event fields ("_pgq_ev_type" ..), and
/// the option prefixes that do ("ev_type=" ..), by EventField.
extern const char* const kEventFieldNames[kEventFields];

struct TriggerArgs {
  std::string queue;
  bool skip = false;
  bool backup = false;
  bool deny = false;
  std::optional<std::string> ignore;  // the list as written
  std::optional<std::string> pkey;    // the list as written
  std::optional<std::string> when;
  std::array<std::optional<std::string>, kEventFields> fields;

  /// True when any when= or ev_*= expression is given.
  bool has_expressions() const;
};

/// A bad argument list. The message is PgQ's; detail and hint say more.
class TriggerArgError : public std::runtime_error {
 public:
  enum class Kind { kNoQueue, kUnknownOption, kNotForTruncate };
  TriggerArgError(Kind kind, const std::string& message, std::string detail, std::string hint)
      : std::runtime_error(message),
        kind_(kind),
        detail_(std::move(detail)),
        hint_(std::move(hint)) {}
  Kind kind() const noexcept { return kind_; }
  const std::string& detail() const noexcept { return detail_; }
  const std::string& hint() const noexcept { return hint_; }

 private:
  Kind kind_;
  std::string detail_, hint_;
};

/// Parses the trigger's arguments; `truncate` tells that the trigger fired
/// for TRUNCATE, where column options and expressions make no sense.
/// Throws TriggerArgError.
TriggerArgs parse_trigger_args(const std::vector<std::string>& args, bool truncate);

}  // namespace pgqpp::ext::core
