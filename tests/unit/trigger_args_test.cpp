// SPDX-License-Identifier: PostgreSQL
// Trigger arguments, column lists and event types as PgQ 3.5 reads and
// writes them.
#include <gtest/gtest.h>

#include "core/event_type.hpp"
#include "core/name_list.hpp"
#include "core/trigger_args.hpp"

using namespace pgqpp::ext::core;
using Kind = TriggerArgError::Kind;

namespace {

Kind error_kind(const std::vector<std::string>& args, bool truncate,
                std::string* message = nullptr) {
  try {
    parse_trigger_args(args, truncate);
  } catch (const TriggerArgError& e) {
    if (message) *message = e.what();
    return e.kind();
  }
  ADD_FAILURE() << "no error";
  return Kind::kNoQueue;
}

}  // namespace

TEST(TriggerArgs, QueueAndOptions) {
  TriggerArgs a = parse_trigger_args(
      {"q", "SKIP", "backup", "deny", "ignore=a,b", "pkey=x y", "when=a > 1", "ev_type='t'",
       "ev_data=a", "ev_extra1=1", "ev_extra2=2", "ev_extra3=3", "ev_extra4=4=4"},
      false);
  EXPECT_EQ(a.queue, "q");
  EXPECT_TRUE(a.skip && a.backup && a.deny);
  EXPECT_EQ(*a.ignore, "a,b");
  EXPECT_EQ(*a.pkey, "x y");
  EXPECT_EQ(*a.when, "a > 1");
  EXPECT_EQ(*a.fields[kFieldType], "'t'");
  EXPECT_EQ(*a.fields[kFieldData], "a");
  EXPECT_EQ(*a.fields[kFieldExtra1], "1");
  EXPECT_EQ(*a.fields[kFieldExtra4], "4=4");
  EXPECT_TRUE(a.has_expressions());
}

TEST(TriggerArgs, DefaultsAndRepeats) {
  TriggerArgs a = parse_trigger_args({"q", "pkey=a", "pkey=b", "ignore=x", "ignore=y"}, false);
  EXPECT_FALSE(a.skip || a.backup || a.deny || a.has_expressions());
  EXPECT_EQ(*a.pkey, "b");
  EXPECT_EQ(*a.ignore, "y");
  // Of repeated expressions the first counts, as in PgQ.
  a = parse_trigger_args({"q", "when=false", "when=true", "ev_type=1", "ev_type=2"}, false);
  EXPECT_EQ(*a.when, "false");
  EXPECT_EQ(*a.fields[kFieldType], "1");
  EXPECT_EQ(*parse_trigger_args({"q", "pkey="}, false).pkey, "");
}

TEST(TriggerArgs, BadArguments) {
  std::string message;
  EXPECT_EQ(error_kind({}, false, &message), Kind::kNoQueue);
  EXPECT_EQ(message, "pgq trigger must have destination queue as argument");
  EXPECT_EQ(error_kind({"q", "bogus"}, false, &message), Kind::kUnknownOption);
  EXPECT_EQ(message, "bad param to pgq trigger");
  // Words are case-sensitive, as in PgQ.
  EXPECT_EQ(error_kind({"q", "skip"}, false), Kind::kUnknownOption);
  EXPECT_EQ(error_kind({"q", "BACKUP"}, false), Kind::kUnknownOption);
  EXPECT_EQ(error_kind({"q", "ev_extra5=1"}, false), Kind::kUnknownOption);
  EXPECT_EQ(error_kind({"q", "ignore"}, false), Kind::kUnknownOption);
}

TEST(TriggerArgs, TruncateRejectsRowOptions) {
  std::string message;
  EXPECT_NO_THROW(parse_trigger_args({"q", "SKIP", "deny"}, true));
  EXPECT_EQ(error_kind({"q", "backup"}, true, &message), Kind::kNotForTruncate);
  EXPECT_EQ(message, "Backup does not make sense for truncate trigger");
  EXPECT_EQ(error_kind({"q", "ignore=a"}, true, &message), Kind::kNotForTruncate);
  EXPECT_EQ(message, "Column ignore does not make sense for truncate trigger");
  EXPECT_EQ(error_kind({"q", "pkey=a"}, true, &message), Kind::kNotForTruncate);
  EXPECT_EQ(message, "Custom pkey_list does not make sense for truncate trigger");
  // Expressions are refused as soon as they are met, as PgQ does.
  EXPECT_EQ(error_kind({"q", "backup", "when=true"}, true, &message), Kind::kNotForTruncate);
  EXPECT_EQ(message, "Custom expressions do not make sense for truncater trigger");
  // An unknown option before them is reported first.
  EXPECT_EQ(error_kind({"q", "bogus", "when=true"}, true), Kind::kUnknownOption);
}

TEST(NameList, SplitsOnCommasAndSpaces) {
  EXPECT_EQ(split_names("a,b"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(split_names(" a ,  b\tc,,"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(split_names("").empty());
  EXPECT_EQ(split_names("idx"), (std::vector<std::string>{"idx"}));
  EXPECT_EQ(split_on_commas("id, lo"), (std::vector<std::string>{"id", " lo"}));
  EXPECT_EQ(split_on_commas("a,,b,"), (std::vector<std::string>{"a", "", "b", ""}));
  EXPECT_TRUE(split_on_commas("").empty());
}

TEST(EventType, PerFormat) {
  EXPECT_EQ(event_type(Format::kUrlEncoded, Op::kInsert, "public", "t", "c,a"), "I:c,a");
  EXPECT_EQ(event_type(Format::kUrlEncoded, Op::kUpdate, "public", "t", ""), "U:");
  EXPECT_EQ(event_type(Format::kUrlEncoded, Op::kTruncate, "public", "t", "id"), "R");
  EXPECT_EQ(event_type(Format::kSql, Op::kDelete, "public", "t", "id"), "D");
  EXPECT_EQ(event_type(Format::kSql, Op::kTruncate, "public", "t", "id"), "R");
  EXPECT_EQ(event_type(Format::kJson, Op::kInsert, "public", "t2", "c,a"),
            R"({"op":"INSERT","table":["public","t2"],"pkey":["c","a"]})");
  EXPECT_EQ(event_type(Format::kJson, Op::kTruncate, "My Schema", "Tbl \"x\"", ""),
            R"({"op":"TRUNCATE","table":["My Schema","Tbl \"x\""],"pkey":[]})");
  EXPECT_EQ(event_type(Format::kJson, Op::kDelete, "s", "t", "id, lo"),
            R"({"op":"DELETE","table":["s","t"],"pkey":["id"," lo"]})");
}
