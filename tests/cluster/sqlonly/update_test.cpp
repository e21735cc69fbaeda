// SPDX-License-Identifier: PostgreSQL
// Updating the SQL-only edition in place (docs/managed.md, "Updating"):
// each older edition of extension/sql-only/editions.txt is built from its
// commit with that commit's generator, installed by a database owner that
// is no superuser, given a queue with an open batch, a pending retry and
// unconsumed events, and updated: by `pgqpp install --sql-only` for the
// oldest, by `psql -f pgqpp-sqlonly--OLD--NEW.sql` for the others. Then
// the catalog is a fresh install's, object by object
// (tests/lib/ext_catalog.sql with ext=sqlonly; as a control the old one
// differs), the open batch comes back with its events, the retry reaches
// its consumer only, the unconsumed events both, and an update script of
// another version is refused, changing nothing. And the list of editions
// and the recorded hash of extension/sql-only/ keep a change to the
// edition from shipping without a new version.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "../database_test.hpp"
#include "../process.hpp"
#include "edition.hpp"

namespace pgqpp_cluster {
namespace {

const char* const kOwner = "pgqpp_so_owner";  // LOGIN CREATEDB, nothing more

/// The lines of a file of the source tree that are neither blank nor
/// comments, split at blanks.
std::vector<std::vector<std::string>> table_of(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(read_file(cluster_env("PGQPP_SOURCE_DIR") + "/" + path));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::vector<std::string> row;
    for (std::string w; words >> w;) row.push_back(w);
    rows.push_back(row);
  }
  return rows;
}

class SqlOnlyUpdate : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    work = cluster_env("PGQPP_TEST_WORK") + "/sqlonly_update";
    std::filesystem::remove_all(work);
    std::filesystem::create_directories(work);
    std::filesystem::permissions(work, std::filesystem::perms::all);
    q("do $$ begin"
      " if not exists (select 1 from pg_roles where rolname = 'pgq_reader') then"
      "  create role pgq_reader; end if;"
      " if not exists (select 1 from pg_roles where rolname = 'pgq_writer') then"
      "  create role pgq_writer; end if;"
      " if not exists (select 1 from pg_roles where rolname = 'pgq_admin') then"
      "  create role pgq_admin in role pgq_reader, pgq_writer; end if;"
      " if not exists (select 1 from pg_roles where rolname = '" +
      std::string(kOwner) + "') then create role " + kOwner + " login createdb; end if; end $$");
  }

  /// A new database owned by the owner role; returns its name.
  std::string owned_database(const std::string& suffix) {
    const std::string name = create_database(suffix);
    q("alter database \"" + name + "\" owner to " + kOwner);
    return name;
  }

  /// A connection string for database `name` as the owner role.
  static std::string as_owner(const std::string& name) {
    return conninfo(name) + " user=" + kOwner;
  }

  /// Runs `file` with psql as the owner in database `name`; returns its
  /// exit status, its output in `out`.
  int psql_file(const std::string& name, const std::string& file, std::string* out = nullptr) {
    const std::string log = work + "/psql.out";
    int rc = run_command("psql -X -q -v ON_ERROR_STOP=1 -d " + shell_quote(as_owner(name)) +
                         " -f " + shell_quote(file) + " >" + shell_quote(log) + " 2>&1");
    if (out) *out = read_file(log);
    return rc;
  }

  /// The edition `version` as commit `commit` built it, with that commit's
  /// generator; returns the file's path.
  std::string old_edition(const std::string& version, const std::string& commit) {
    const std::string dir = work + "/v" + version;
    std::filesystem::create_directories(dir);
    const std::string src = cluster_env("PGQPP_SOURCE_DIR");
    const std::string file = dir + "/pgqpp-sqlonly--" + version + ".sql";
    const std::string build =
        "git -C " + shell_quote(src) + " archive " + commit +
        " extension/sql extension/sql-only extension/cmake/sqlonly.py | tar -x -C " +
        shell_quote(dir) + " && python3 " + shell_quote(dir + "/extension/cmake/sqlonly.py") +
        " --version " + version + " --sql-dir " + shell_quote(dir + "/extension/sql") +
        " --sqlonly-dir " + shell_quote(dir + "/extension/sql-only") + " --out " +
        shell_quote(file);
    if (run_command(build) != 0)
      throw std::runtime_error("cannot build edition " + version + " from commit " + commit);
    return file;
  }

  /// Database `name`'s edition objects, as sorted text lines.
  std::string catalog(const std::string& name) {
    return command_output(
        "psql -X -q -At -v ON_ERROR_STOP=1 -v ext=sqlonly -d " + shell_quote(conninfo(name)) +
        " -f " + shell_quote(cluster_env("PGQPP_SOURCE_DIR") + "/tests/lib/ext_catalog.sql"));
  }

  /// The first lines of `diff` between catalog `expected` and database
  /// `name`'s ("" when they are the same); both are kept in the work folder.
  std::string catalog_diff(const std::string& expected, const std::string& name) {
    const std::string a = work + "/catalog-expected.txt", b = work + "/catalog-" + name + ".txt";
    std::ofstream(a) << expected;
    std::ofstream(b) << catalog(name);
    return command_output("diff " + shell_quote(a) + " " + shell_quote(b) + " | head -40");
  }

  std::string work;
};

/// The events of batch `batch` on `c`, their data in ev_id order.
std::string batch_data(pgqpp::Connection& c, const std::string& batch) {
  return std::string(c.exec("select string_agg(ev_data, ',' order by ev_id)"
                            "  from pgq.get_batch_events($1::bigint)",
                            {batch})
                         .get(0, 0)
                         .value_or(""));
}

TEST_F(SqlOnlyUpdate, EveryOlderEditionUpdatesInPlaceKeepingItsWork) {
  const std::string fresh = owned_database("fresh");
  ASSERT_EQ(psql_file(fresh, sqlonly_edition_file()), 0) << "installing the current edition";
  const std::string current = std::string(pgqpp::Connection(as_owner(fresh))
                                              .exec("select pgq.sqlonly_version()")
                                              .get(0, 0)
                                              .value_or(""));
  ASSERT_NE(current, "");
  const std::string fresh_catalog = catalog(fresh);
  ASSERT_NE(fresh_catalog, "");

  const auto editions = table_of("extension/sql-only/editions.txt");
  ASSERT_FALSE(editions.empty());
  for (std::size_t i = 0; i < editions.size(); ++i) {
    const std::string& version = editions[i].at(0);
    SCOPED_TRACE("from edition " + version);
    const std::string name = owned_database("v" + std::to_string(i));
    std::string out;
    ASSERT_EQ(psql_file(name, old_edition(version, editions[i].at(1)), &out), 0) << out;
    pgqpp::Connection c(as_owner(name));
    ASSERT_EQ(std::string(c.exec("select pgq.sqlonly_version()").get(0, 0).value_or("")), version);
    EXPECT_NE(catalog_diff(fresh_catalog, name), "")
        << "the control: edition " << version << "'s catalog is the current one's";

    // Its work: c's batch open, r's retry pending, e3 not yet ticked.
    c.exec("select pgq.create_queue('q')");
    c.exec("select pgq.register_consumer('q', 'c'), pgq.register_consumer('q', 'r')");
    c.exec("select pgq.insert_event('q', 't', 'e1'), pgq.insert_event('q', 't', 'e2')");
    c.exec("select pgq.force_tick('q')");
    c.exec("select pgq.ticker('q')");
    const std::string open =
        std::string(c.exec("select pgq.next_batch('q', 'c')").get(0, 0).value_or(""));
    ASSERT_NE(open, "");
    ASSERT_EQ(batch_data(c, open), "e1,e2");
    const std::string rb =
        std::string(c.exec("select pgq.next_batch('q', 'r')").get(0, 0).value_or(""));
    ASSERT_NE(rb, "");
    c.exec(
        "select pgq.event_retry($1::bigint, ev_id, 0) from pgq.get_batch_events($1::bigint)"
        " where ev_data = 'e1'",
        {rb});
    c.exec("select pgq.finish_batch($1::bigint)", {rb});
    c.exec("select pgq.insert_event('q', 't', 'e3')");

    // The update: the tool for the oldest, psql -f for the others.
    if (i == 0) {
      out = command_line_output(cluster_env("PGQPP_BUILD_DIR") +
                                "/cli/pgqpp install --sql-only --dsn " +
                                shell_quote(as_owner(name)) + " 2>&1");
      EXPECT_NE(out.find("updated pgqpp " + version + " (SQL-only edition) to " + current),
                std::string::npos)
          << out;
    } else {
      const std::string script =
          cluster_env("PGQPP_BUILD_DIR") + "/pgqpp-sqlonly--" + version + "--" + current + ".sql";
      ASSERT_EQ(psql_file(name, script, &out), 0) << out;
    }
    EXPECT_EQ(std::string(c.exec("select pgq.sqlonly_version()").get(0, 0).value_or("")), current);
    EXPECT_EQ(catalog_diff(fresh_catalog, name), "")
        << "the updated catalog differs from a fresh install's (< fresh, > updated)";

    // The work goes on: the same open batch, the retry to r only, e3 to both.
    EXPECT_EQ(std::string(c.exec("select pgq.next_batch('q', 'c')").get(0, 0).value_or("")), open);
    EXPECT_EQ(batch_data(c, open), "e1,e2");
    c.exec("select pgq.finish_batch($1::bigint)", {open});
    c.exec("select pgq.maint_retry_events()");
    c.exec("select pgq.insert_event('q', 't', 'e4')");
    c.exec("select pgq.force_tick('q')");
    c.exec("select pgq.ticker('q')");
    for (const auto& [consumer, expected] :
         std::vector<std::pair<std::string, std::string>>{{"c", "e3,e4"}, {"r", "e1,e3,e4"}}) {
      const std::string b =
          std::string(c.exec("select pgq.next_batch('q', $1)", {consumer}).get(0, 0).value_or(""));
      ASSERT_NE(b, "") << consumer << " has no batch after the update";
      EXPECT_EQ(std::string(c.exec("select string_agg(ev_data, ',' order by ev_data)"
                                   "  from pgq.get_batch_events($1::bigint)",
                                   {b})
                                .get(0, 0)
                                .value_or("")),
                expected)
          << consumer;
      c.exec("select pgq.finish_batch($1::bigint)", {b});
    }

    // Another version's script is refused and changes nothing.
    const std::string other = cluster_env("PGQPP_BUILD_DIR") + "/pgqpp-sqlonly--" +
                              editions[0].at(0) + "--" + current + ".sql";
    EXPECT_NE(psql_file(name, other, &out), 0);
    EXPECT_NE(out.find("this script updates the SQL-only edition " + editions[0].at(0)),
              std::string::npos)
        << out;
    EXPECT_EQ(catalog_diff(fresh_catalog, name), "");
  }
}

// A change to extension/sql-only/ needs a new version, as one to
// extension/sql/ does (integration/extension_update): the hash of its files,
// without comment and blank lines, is recorded as sqlonly-<version> in
// extension/sql/updates/schema.sha256. And every version since the first
// edition, except the current, is in editions.txt, so each has its update.
TEST_F(SqlOnlyUpdate, EveryEditionVersionIsListedAndTheSourcesAreRecorded) {
  const std::string src = cluster_env("PGQPP_SOURCE_DIR");
  const std::string current =
      command_line_output("sed -n 's/^set(PGQPP_EXT_VERSION \"\\(.*\\)\")$/\\1/p' " +
                          shell_quote(src) + "/extension/CMakeLists.txt");
  ASSERT_NE(current, "");
  const std::string hash = command_line_output(
      "cd " + shell_quote(src) +
      " && cat $(ls extension/sql-only/*.sql | LC_ALL=C sort) | grep -v '^[[:space:]]*--'"
      " | grep -v '^[[:space:]]*$' | sha256sum | cut -d' ' -f1");
  std::string recorded;
  std::vector<std::string> versions;
  for (const auto& row : table_of("extension/sql/updates/schema.sha256")) {
    if (row.size() < 2) continue;
    if (row[0] == "sqlonly-" + current) recorded = row[1];
    if (row[0].rfind("sqlonly-", 0) != 0) versions.push_back(row[0]);
  }
  EXPECT_EQ(hash, recorded)
      << "extension/sql-only/*.sql is not the edition of version " << current
      << " (extension/sql/updates/schema.sha256): a change to the edition needs a new "
         "PGQPP_EXT_VERSION, the old version's line in extension/sql-only/editions.txt and the "
         "line 'sqlonly-<new> "
      << hash << "'";
  const auto editions = table_of("extension/sql-only/editions.txt");
  ASSERT_FALSE(editions.empty());
  bool since_first = false;
  for (const std::string& v : versions) {
    since_first = since_first || v == editions[0][0];
    if (!since_first || v == current) continue;
    bool listed = false;
    for (const auto& e : editions) listed = listed || e[0] == v;
    EXPECT_TRUE(listed) << "version " << v << " is not in extension/sql-only/editions.txt";
  }
}

}  // namespace
}  // namespace pgqpp_cluster
