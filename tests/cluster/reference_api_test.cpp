// SPDX-License-Identifier: PostgreSQL
// pgqpp's functions, table columns and privileges equal PgQ 3.5's reference
// lists (tests/reference/), apart from the documented differences: pgqpp's
// additions; and schema pgq_coop's functions and privileges equal PgQ's
// pgq_coop 3.x lists (was tests/integration/reference_api.sh).
#include <algorithm>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "database_test.hpp"
#include "process.hpp"

namespace pgqpp_cluster {
namespace {

// Documented differences: pgqpp additions (functions, then tables).
const std::string added_functions =
    "insert_events|wakeup_ticker|next_batch_wait|_check_name|_queue_changed|_ids_past_restored|"
    "event_dead|dead_letters|dead_letter_replay|dead_letter_purge|_dead_letter_sub|_set_max_"
    "retries|insert_event_at|insert_events_at|_delayed_queue_dropped|set_consumer_config|get_"
    "consumer_config|get_delayed_info|_cell_positions|_position_to_row";
const std::string added_tables =
    "dead_letter|queue_config|delayed_event|delayed_event_0|delayed_event_1|delayed_mark|delayed_"
    "pending|consumer_config|subscription_cell|subscription_current";

using Lines = std::vector<std::string>;

Lines split_lines(const std::string& text) {
  Lines out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The lines, sorted bytewise (LC_ALL=C sort), without those matching `drop`.
Lines sorted(Lines lines, const std::regex* drop = nullptr, bool unique = false) {
  if (drop) std::erase_if(lines, [&](const std::string& l) { return std::regex_search(l, *drop); });
  std::sort(lines.begin(), lines.end());
  if (unique) lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
  return lines;
}

Lines reference(const std::string& name, bool unique = false) {
  std::string text = read_file(cluster_env("PGQPP_SOURCE_DIR") + "/tests/reference/" + name);
  EXPECT_NE(text, "") << "cannot read tests/reference/" << name;
  return sorted(split_lines(text), nullptr, unique);
}

// What one list has that the other lacks, as diff -u marks them.
std::string differences(const Lines& want, const Lines& got) {
  std::string out;
  for (const auto& l : want)
    if (!std::binary_search(got.begin(), got.end(), l)) out += "- " + l + "\n";
  for (const auto& l : got)
    if (!std::binary_search(want.begin(), want.end(), l)) out += "+ " + l + "\n";
  return out;
}

class ReferenceApi : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    db->exec("select pgq.create_queue('one')");
    db->exec("select pgq.create_queue('two')");
  }
};

TEST_F(ReferenceApi, FunctionsAsPgq35) {
  const std::regex additions("^(" + added_functions + ")\\(");
  Lines got = sorted(
      split_lines(rows("select p.proname || '(' || pg_get_function_identity_arguments(p.oid) || "
                       "') -> ' || case when p.proretset then 'SETOF ' else '' end || "
                       "format_type(p.prorettype, null) from pg_proc p join pg_namespace n on "
                       "n.oid = p.pronamespace where n.nspname = 'pgq'")),
      &additions);
  Lines want = reference("pgq-3.5-functions.txt");
  EXPECT_TRUE(got == want) << "pgqpp's functions differ from PgQ 3.5's (- reference, + pgqpp):\n"
                           << differences(want, got);
}

TEST_F(ReferenceApi, TablesAsPgq35) {
  Lines got = sorted(split_lines(
      rows("select c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) "
           "from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on "
           "n.oid = c.relnamespace where n.nspname = 'pgq' and c.relkind = 'r' and a.attnum > 0 "
           "and not a.attisdropped and c.relname in "
           "('consumer','event_template','queue','retry_queue','subscription','tick')")));
  Lines want = reference("pgq-3.5-tables.txt");
  EXPECT_TRUE(got == want) << "pgqpp's tables differ from PgQ 3.5's (- reference, + pgqpp):\n"
                           << differences(want, got);
}

// Privileges of everyone but the owner, as "ROLE PRIVILEGE object".
TEST_F(ReferenceApi, GrantsAsPgq35) {
  const std::regex additions(" (" + added_functions + ")\\(| (" + added_tables + ")$");
  Lines got = sorted(split_lines(rows(R"sql(
with acl as (
  select p.proname || '(' || pg_get_function_arguments(p.oid) || ')' as obj, p.proowner as owner,
         (aclexplode(p.proacl)).*
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'pgq'
  union all
  select c.relname, c.relowner, (aclexplode(c.relacl)).*
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = 'pgq' and c.relkind in ('r', 'S'))
select case when grantee = 0 then 'PUBLIC' else pg_get_userbyid(grantee) end
       || ' ' || privilege_type || ' ' || obj
  from acl where grantee <> owner)sql")),
                     &additions, true);
  Lines want = reference("pgq-3.5-grants.txt", true);
  EXPECT_TRUE(got == want) << "pgqpp's grants differ from PgQ 3.5's (- reference, + pgqpp):\n"
                           << differences(want, got);
}

// pgq_coop (cooperative consumers): PgQ's pgq_coop 3.x functions, apart from
// pgqpp's two internal helpers.
const std::string coop_added = "_window|_set_window";

TEST_F(ReferenceApi, CoopFunctionsAsPgqCoop3) {
  const std::regex additions("^(" + coop_added + ")\\(");
  Lines got = sorted(
      split_lines(rows("select p.proname || '(' || pg_get_function_identity_arguments(p.oid) || "
                       "') -> ' || format_type(p.prorettype, null) from pg_proc p "
                       "where p.pronamespace = 'pgq_coop'::regnamespace")),
      &additions);
  Lines want = reference("pgq_coop-3-functions.txt");
  EXPECT_TRUE(got == want)
      << "pgqpp's pgq_coop functions differ from PgQ's (- reference, + pgqpp):\n"
      << differences(want, got);
}

// Privileges on pgq_coop's functions and schema of everyone but the owner.
TEST_F(ReferenceApi, CoopGrantsAsPgqCoop3) {
  const std::regex additions(" (" + coop_added + ")\\(");
  Lines got = sorted(split_lines(rows(R"sql(
with acl as (
  select p.proname || '(' || pg_get_function_arguments(p.oid) || ')' as obj, p.proowner as owner,
         (aclexplode(p.proacl)).*
    from pg_proc p where p.pronamespace = 'pgq_coop'::regnamespace
  union all
  select n.nspname, n.nspowner, (aclexplode(n.nspacl)).*
    from pg_namespace n where n.nspname = 'pgq_coop')
select case when grantee = 0 then 'PUBLIC' else pg_get_userbyid(grantee) end
       || ' ' || privilege_type || ' ' || obj
  from acl where grantee <> owner)sql")),
                     &additions, true);
  Lines want = reference("pgq_coop-3-grants.txt", true);
  EXPECT_TRUE(got == want) << "pgqpp's pgq_coop grants differ from PgQ's (- reference, + pgqpp):\n"
                           << differences(want, got);
}

}  // namespace
}  // namespace pgqpp_cluster
