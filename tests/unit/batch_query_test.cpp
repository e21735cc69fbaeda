// SPDX-License-Identifier: PostgreSQL
// Batch predicates, tables and SQL.
#include <gtest/gtest.h>

#include <random>

#include "core/batch_query.hpp"

using namespace pgqpp::ext::core;

static Snapshot snap(const char* text) { return *parse_snapshot(text); }

// The filter must select exactly the transactions visible at cur and not at
// last, for any pair of consistent snapshots.
TEST(BatchFilter, MatchesVisibilityRuleOnRandomSnapshots) {
  std::mt19937_64 rng(12345);
  for (int round = 0; round < 2000; ++round) {
    Txid base = 100 + rng() % 50;
    Snapshot last{base, base + rng() % 30, {}};
    for (Txid x = last.xmin; x < last.xmax; ++x)
      if (x == last.xmin || rng() % 3 == 0) last.xip.push_back(x);
    if (last.xmin == last.xmax) last.xip.clear();
    Snapshot cur{0, last.xmax + rng() % 30, {}};
    // Running at cur: some of last's still running, some newer ones.
    for (Txid x : last.xip)
      if (rng() % 2) cur.xip.push_back(x);
    for (Txid x = last.xmax; x < cur.xmax; ++x)
      if (rng() % 4 == 0) cur.xip.push_back(x);
    cur.xmin = cur.xip.empty() ? cur.xmax : cur.xip.front();
    BatchFilter f = batch_filter(last, cur);
    for (Txid x = 50; x < cur.xmax + 40; ++x)
      ASSERT_EQ(f.matches(x), cur.sees(x) && !last.sees(x)) << "round " << round << " txid " << x;
  }
}

TEST(BatchFilter, LongTransactionIsListedNotScanned) {
  // Transaction 100 ran across both ticks' predecessors and committed between.
  Snapshot last = snap("100:5000:100");
  Snapshot cur = snap("5100:5100:");
  BatchFilter f = batch_filter(last, cur);
  EXPECT_EQ(f.range_lo, 5000u);
  EXPECT_EQ(f.range_hi, 5100u);
  EXPECT_EQ(f.listed, std::vector<Txid>{100});
}

TEST(BatchFilter, StillRunningTransactionIsExcluded) {
  Snapshot last = snap("100:200:100");
  Snapshot cur = snap("100:300:100,250");
  BatchFilter f = batch_filter(last, cur);
  EXPECT_TRUE(f.listed.empty());
  EXPECT_EQ(f.exclude, std::vector<Txid>{250});
  EXPECT_FALSE(f.matches(100));
  EXPECT_FALSE(f.matches(250));
  EXPECT_TRUE(f.matches(251));
}

TEST(BatchTables, FollowsRotationSteps) {
  Rotation r{"pgq.event_1", 3, 1, 1000, 1010};
  // Batch entirely before the switch: previous table only.
  EXPECT_EQ(batch_tables(r, snap("900:950:"), snap("950:990:")),
            std::vector<std::string>{"pgq.event_1_0"});
  // Batch entirely after step 2: current table only.
  EXPECT_EQ(batch_tables(r, snap("1020:1030:"), snap("1030:1040:")),
            std::vector<std::string>{"pgq.event_1_1"});
  // Around the switch: both, previous first.
  EXPECT_EQ(batch_tables(r, snap("990:1005:"), snap("1005:1030:")),
            (std::vector<std::string>{"pgq.event_1_0", "pgq.event_1_1"}));
  // Step 2 not done yet: both.
  Rotation pending{"pgq.event_1", 3, 0, 1000, std::nullopt};
  EXPECT_EQ(batch_tables(pending, snap("2000:2000:"), snap("2000:2010:")),
            (std::vector<std::string>{"pgq.event_1_2", "pgq.event_1_0"}));
}

TEST(QuoteFqname, QuotesBothParts) {
  EXPECT_EQ(quote_fqname("pgq.event_1_0"), "\"pgq\".\"event_1_0\"");
  EXPECT_EQ(quote_fqname("t"), "\"public\".\"t\"");
  EXPECT_EQ(quote_fqname("a.b\"c"), "\"a\".\"b\"\"c\"");
}

TEST(BatchSql, RangeExcludeListedAndOwner) {
  BatchFilter f{5000, 5100, {5050}, {100}};
  std::string sql = batch_events_sql({"pgq.event_1_0"}, f, 7);
  EXPECT_NE(sql.find("ev.ev_txid >= 5000 and ev.ev_txid < 5100"), std::string::npos) << sql;
  EXPECT_NE(sql.find("<> all('{5050}'::bigint[])"), std::string::npos) << sql;
  EXPECT_NE(sql.find("= any('{100}'::bigint[])"), std::string::npos) << sql;
  EXPECT_NE(sql.find("ev.ev_owner = 7"), std::string::npos) << sql;
  EXPECT_EQ(sql.substr(sql.size() - 11), " order by 1");
}

TEST(BatchSql, ParamSqlDependsOnTablesOnly) {
  std::string one = batch_events_param_sql({"pgq.event_1_0"});
  EXPECT_EQ(one,
            "select ev_id, ev_time, ev_txid, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2,"
            " ev_extra3, ev_extra4 from \"pgq\".\"event_1_0\" ev where ev.ev_txid >= $1 and"
            " ev.ev_txid < $2 and ev.ev_txid <> all($3) and (ev.ev_owner is null or"
            " ev.ev_owner = $5) union all select ev_id, ev_time, ev_txid, ev_retry, ev_type,"
            " ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4 from \"pgq\".\"event_1_0\" ev"
            " where ev.ev_txid = any($4) and (ev.ev_owner is null or ev.ev_owner = $5)"
            " order by 1");
  std::string two = batch_events_param_sql({"pgq.event_1_2", "pgq.event_1_0"});
  EXPECT_NE(two.find("\"event_1_2\" ev where ev.ev_txid >= $1"), std::string::npos) << two;
  EXPECT_NE(two.find("\"event_1_0\" ev where ev.ev_txid = any($4)"), std::string::npos) << two;
  EXPECT_EQ(batch_events_param_sql({}),
            "select ev_id, ev_time, ev_txid, ev_retry, ev_type, ev_data, ev_extra1, ev_extra2,"
            " ev_extra3, ev_extra4 from pgq.event_template ev where false order by 1");
}

TEST(BatchSql, ExtraWhereWraps) {
  BatchFilter f{10, 20, {}, {}};
  std::string sql = batch_events_sql({"pgq.event_1_0"}, f, 1, "ev_type = 'x'");
  EXPECT_EQ(sql.rfind("select * from (", 0), 0u);
  EXPECT_NE(sql.find(") _evs where ev_type = 'x' order by 1"), std::string::npos);
}

TEST(BatchSql, WindowReadsByIdNotByTxid) {
  BatchFilter f{5000, 5100, {5050}, {100}};
  IdWindow w{41, 90};
  std::string sql = batch_events_sql({"pgq.event_1_0", "pgq.event_1_1"}, f, 7, {}, w);
  EXPECT_NE(sql.find("ev.ev_id > 41 and ev.ev_id <= 90 and "), std::string::npos) << sql;
  // The txid conditions must not be usable by the ev_txid index.
  EXPECT_EQ(sql.find("ev.ev_txid >="), std::string::npos) << sql;
  EXPECT_NE(sql.find("((ev.ev_txid + 0) >= 5000 and (ev.ev_txid + 0) < 5100 and "
                     "(ev.ev_txid + 0) <> all('{5050}'::bigint[])) or "
                     "(ev.ev_txid + 0) = any('{100}'::bigint[])"),
            std::string::npos)
      << sql;
  // One part per table, each with the owner condition.
  EXPECT_EQ(sql.find(" union all "), sql.rfind(" union all ")) << sql;
  EXPECT_NE(sql.find("ev.ev_owner = 7", sql.find(" union all ")), std::string::npos) << sql;
}

TEST(BatchSql, OpenWindowEndAndIds) {
  BatchFilter f{10, 20, {}, {}};
  IdWindow w;
  w.after = 3;
  std::string sql = batch_ids_sql({"pgq.event_1_0"}, f, 1, w);
  EXPECT_EQ(sql.rfind("select ev_id from \"pgq\".\"event_1_0\" ev where ev.ev_id > 3 and ", 0), 0u)
      << sql;
  EXPECT_EQ(sql.find("<="), std::string::npos) << sql;
  // Without a window the ids come from the same predicates as the events.
  EXPECT_NE(batch_ids_sql({"pgq.event_1_0"}, f, 1).find("ev.ev_txid >= 10 and ev.ev_txid < 20"),
            std::string::npos);
}
