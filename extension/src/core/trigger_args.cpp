// SPDX-License-Identifier: PostgreSQL
// Trigger argument parsing: see trigger_args.hpp.
#include "core/trigger_args.hpp"

#include <string_view>

namespace pgqpp::ext::core {

const char* const kEventFieldNames[kEventFields] = {"ev_type",   "ev_data",   "ev_extra1",
                                                    "ev_extra2", "ev_extra3", "ev_extra4"};

namespace {

constexpr const char* kOptionsHint =
    "Trigger arguments are the queue name, then any of SKIP, backup, deny, ignore=COLUMNS, "
    "pkey=COLUMNS, when=EXPR, ev_type=EXPR, ev_data=EXPR, ev_extra1=EXPR .. ev_extra4=EXPR.";

// Takes a name=value option. A repeated list option replaces the earlier
// one, a repeated expression does not (`keep_first`): PgQ prepares the first
// expression for a field and skips the others.
bool take(std::string_view arg, std::string_view prefix, std::optional<std::string>& into,
          bool keep_first = false) {
  if (arg.substr(0, prefix.size()) != prefix) return false;
  if (!(keep_first && into)) into = std::string(arg.substr(prefix.size()));
  return true;
}

// An expression option (when=, ev_*=); PgQ rejects them on TRUNCATE as it
// meets them, before looking at the other options.
bool take_expression(std::string_view arg, TriggerArgs& out, bool truncate) {
  bool taken = take(arg, "when=", out.when, true);
  for (int f = 0; f < kEventFields && !taken; ++f)
    taken = take(arg, std::string(kEventFieldNames[f]) + "=", out.fields[f], true);
  if (taken && truncate)
    throw TriggerArgError(TriggerArgError::Kind::kNotForTruncate,
                          "Custom expressions do not make sense for truncater trigger",
                          "Argument \"" + std::string(arg) +
                              "\" is an expression over the row; "
                              "a TRUNCATE trigger has no row.",
                          "Remove the argument, or use a separate trigger for TRUNCATE.");
  return taken;
}

void parse_option(std::string_view arg, TriggerArgs& out, bool truncate) {
  if (arg == "SKIP") {
    out.skip = true;
  } else if (arg == "backup") {
    out.backup = true;
  } else if (arg == "deny") {
    out.deny = true;
  } else if (!take(arg, "ignore=", out.ignore) && !take(arg, "pkey=", out.pkey) &&
             !take_expression(arg, out, truncate)) {
    throw TriggerArgError(TriggerArgError::Kind::kUnknownOption, "bad param to pgq trigger",
                          "Trigger argument \"" + std::string(arg) + "\" is not a known option.",
                          kOptionsHint);
  }
}

void check_truncate(const TriggerArgs& args) {
  auto fail = [](const char* message, const char* option) {
    throw TriggerArgError(
        TriggerArgError::Kind::kNotForTruncate, message,
        std::string("Option ") + option + " applies to rows; a TRUNCATE trigger has none.",
        "Remove the option, or use a separate trigger for TRUNCATE.");
  };
  if (args.ignore) fail("Column ignore does not make sense for truncate trigger", "ignore=");
  if (args.pkey) fail("Custom pkey_list does not make sense for truncate trigger", "pkey=");
  if (args.backup) fail("Backup does not make sense for truncate trigger", "backup");
}

}  // namespace

bool TriggerArgs::has_expressions() const {
  if (when) return true;
  for (const auto& f : fields) {
    if (f) return true;
  }
  return false;
}

TriggerArgs parse_trigger_args(const std::vector<std::string>& args, bool truncate) {
  if (args.empty())
    throw TriggerArgError(TriggerArgError::Kind::kNoQueue,
                          "pgq trigger must have destination queue as argument",
                          "The trigger was created without arguments.",
                          "Give the queue name as the first argument, e.g. "
                          "EXECUTE FUNCTION pgq.logutriga('queue_name').");
  TriggerArgs out;
  out.queue = args[0];
  for (std::size_t i = 1; i < args.size(); ++i) parse_option(args[i], out, truncate);
  if (truncate) check_truncate(out);
  return out;
}

}  // namespace pgqpp::ext::core
