// SPDX-License-Identifier: PostgreSQL
// pgqpp::error and its kinds, as the server and the library raise them.
#include <string>

#include "fixture.hpp"

namespace pgqpp_it {
namespace {

using namespace std::chrono_literals;

TEST(ErrorTest, SqlErrorCarriesSqlstateQueryAndUsability) {
  pgqpp::Connection db(db_conninfo());
  try {
    db.exec("select 1 / $1::int", {0});
    FAIL() << "division by zero succeeded";
  } catch (const pgqpp::sql_error& e) {
    EXPECT_EQ(e.sqlstate(), "22012");
    EXPECT_EQ(e.query(), "select 1 / $1::int");
    EXPECT_EQ(std::string(e.what()), "division by zero");
    EXPECT_TRUE(e.connection_usable());
    EXPECT_TRUE(e.transaction_usable());  // no transaction was open
  }
  EXPECT_EQ(db.exec("select 1").value(0, 0), "1");
}

TEST(ErrorTest, ErrorInsideATransactionAbortsIt) {
  pgqpp::Connection db(db_conninfo());
  pgqpp::Transaction tx(db);
  try {
    tx.exec("select no_such_column from pg_class");
    FAIL();
  } catch (const pgqpp::sql_error& e) {
    EXPECT_EQ(e.sqlstate(), "42703");
    EXPECT_TRUE(e.connection_usable());
    EXPECT_FALSE(e.transaction_usable());
  }
  try {
    tx.commit();
    FAIL() << "commit of an aborted transaction reported success";
  } catch (const pgqpp::sql_error& e) {
    EXPECT_EQ(e.sqlstate(), "25P02");
  }
  EXPECT_FALSE(db.in_transaction());
}

TEST(ErrorTest, TransactionMisuseIsAUsageError) {
  pgqpp::Connection db(db_conninfo());
  pgqpp::Transaction tx(db);
  EXPECT_THROW(pgqpp::Transaction second(db), pgqpp::usage_error);
  tx.commit();
  EXPECT_THROW(tx.commit(), pgqpp::usage_error);
  EXPECT_THROW(db.exec("select 1").value(0, 5), pgqpp::usage_error);
  EXPECT_THROW(db.exec("select null").value(0, 0), pgqpp::usage_error);
}

TEST(ErrorTest, QueryTimeoutCancelsAndKeepsTheConnection) {
  pgqpp::Connection db(db_conninfo());
  db.set_query_timeout(200ms);
  auto started = std::chrono::steady_clock::now();
  try {
    db.exec("select pg_sleep(10)");
    FAIL() << "pg_sleep(10) finished within a 200 ms timeout";
  } catch (const pgqpp::timeout_error& e) {
    EXPECT_TRUE(e.connection_usable());
    EXPECT_EQ(e.query(), "select pg_sleep(10)");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  db.set_query_timeout(0ms);
  EXPECT_EQ(db.exec("select 2").value(0, 0), "2");
}

TEST(ErrorTest, TerminatedBackendIsConnectionLost) {
  pgqpp::Connection db(db_conninfo());
  pgqpp::Connection admin(db_conninfo());
  std::string pid(db.exec("select pg_backend_pid()").value(0, 0));
  admin.exec("select pg_terminate_backend($1::int)", {pid});
  try {
    db.exec("select 1");
    FAIL() << "a terminated connection still answered";
  } catch (const pgqpp::connection_lost& e) {
    EXPECT_FALSE(e.connection_usable());
    EXPECT_FALSE(e.transaction_usable());
  }
}

TEST(ErrorTest, UnreachableServerIsConnectionLost) {
  EXPECT_THROW(pgqpp::Connection("host=127.0.0.1 port=1 dbname=x"), pgqpp::connection_lost);
}

}  // namespace
}  // namespace pgqpp_it
