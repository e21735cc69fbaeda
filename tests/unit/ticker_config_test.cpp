// SPDX-License-Identifier: PostgreSQL
// The ticker's config file: pgqd's format, and mistakes refused.
#include "config.hpp"

#include <gtest/gtest.h>

using namespace pgqpp::ticker;

TEST(TickerConfig, ReadsPgqdAndPgqppSections) {
  Config c = parse_config("[pgqd]\nticker_period = 0.5\n[pgqpp]\nmin_tick_interval = 0.01\n", "t");
  EXPECT_EQ(c.ticker_period, 0.5);
  EXPECT_EQ(c.min_tick_interval, 0.01);
}

TEST(TickerConfig, UnknownSectionIsAnError) {
  try {
    parse_config("[pgqdd]\nbase_connstr = host=elsewhere\n", "f.ini");
    FAIL() << "a misspelt section was accepted";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "f.ini:1: unknown section '[pgqdd]' (use [pgqd] or [pgqpp])");
  }
  EXPECT_THROW(parse_config("[pgqd]\nlogfile = x\n[other]\n", "f.ini"), ConfigError);
}

TEST(TickerConfig, KeyOutsideASectionIsAnError) {
  EXPECT_THROW(parse_config("ticker_period = 1\n[pgqd]\n", "f.ini"), ConfigError);
}

TEST(TickerConfig, UnknownKeyAndBadValueAreErrors) {
  EXPECT_THROW(parse_config("[pgqd]\nticker_perid = 1\n", "f.ini"), ConfigError);
  EXPECT_THROW(parse_config("[pgqd]\nticker_period = soon\n", "f.ini"), ConfigError);
}

// The key table is the one declaration of each key: the defaults a Config
// starts with are the table's, written back exactly as the table has them.
TEST(TickerConfig, DefaultsComeFromTheKeyTable) {
  const Config defaults;
  for (const auto& k : config_keys())
    EXPECT_EQ(get_key(defaults, k.name), k.default_value) << k.name;
  EXPECT_EQ(defaults.initial_database, "template1");
  EXPECT_EQ(defaults.ticker_period, 1);
  EXPECT_EQ(defaults.min_tick_interval, 0.005);
  EXPECT_TRUE(defaults.syslog);
  EXPECT_TRUE(defaults.database_list.empty());
}

// Every key sets its own member and no other (a row pointing at the wrong
// member would show here as two keys changing together).
TEST(TickerConfig, EachKeySetsItsOwnMember) {
  for (const auto& k : config_keys()) {
    Config c;
    std::string kind = k.kind();
    std::string value = kind == "seconds" ? "7.5"
                        : kind == "bool"  ? "0"
                        : kind == "list"  ? "a,b"
                                          : "x";
    set_key(c, k.name, value, "test");
    EXPECT_EQ(get_key(c, k.name), value) << k.name;
    EXPECT_EQ(changed_keys(Config{}, c), std::vector<std::string>{k.name});
  }
}

TEST(TickerConfig, SampleConfigAndKeyListingNameEveryKey) {
  const std::string sample = sample_config();
  const std::string table = keys_table();
  for (const auto& k : config_keys()) {
    EXPECT_NE(sample.find("\n#" + std::string(k.name) + " = " + k.default_value + "\n"),
              std::string::npos);
    EXPECT_NE(table.find(std::string(k.name) + "\t" + k.kind() + "\t" + k.default_value + "\t"),
              std::string::npos);
  }
  EXPECT_NE(table.find("pidfile\tstring\t\trestart\t"), std::string::npos);
  // The sample, uncommented, reads back as the defaults.
  std::string uncommented;
  for (size_t at = 0; at < sample.size();) {
    size_t end = sample.find('\n', at);
    std::string line = sample.substr(at, end - at);
    if (line.size() > 1 && line[0] == '#' && line[1] != ' ') line.erase(0, 1);
    uncommented += line + "\n";
    at = end + 1;
  }
  EXPECT_TRUE(changed_keys(parse_config(uncommented, "sample"), Config{}).empty());
}
