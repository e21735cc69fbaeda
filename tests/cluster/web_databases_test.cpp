// SPDX-License-Identifier: PostgreSQL
// `pgqpp web` serving several databases (issue 26): --all-databases serves
// those of the server with PgQ (not one without it; on a cluster of the
// case's own, own_cluster.hpp), --database NAME the
// ones named; /api/databases lists them, ?db=NAME picks one for every
// endpoint (an action's body "db"), a name not served gets 404, and a
// database that cannot be reached is an error of its own only. The
// one-database console (web_test.cpp) answers ?db= with its own name too.
#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "own_cluster.hpp"
#include "web_fixture.hpp"

namespace pgqpp_cluster {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

const std::string token = "0123456789abcdef0123456789abcdef";

class WebDatabases : public WebTest {
 protected:
  /// The case's database (queue "one_q") and a second one with pgqpp
  /// (queue "two_q"), both with queue "shared_q"; a third without PgQ.
  void make_databases() {
    db->exec("select pgq.create_queue('one_q'), pgq.create_queue('shared_q')");
    second = create_database("two");
    pgqpp::Connection two(conninfo(second));
    two.exec("create extension pgqpp");
    two.exec("select pgq.create_queue('two_q'), pgq.create_queue('shared_q')");
    without = create_database("nopgq");
  }
  /// GET `path` until it answers 200 (the samplers' first rounds); its body.
  json ready(const std::string& path, const std::vector<std::string>& curl_args = {}) {
    Http r;
    EXPECT_TRUE(eventually([&] { return (r = get(path, curl_args)).code == 200; }, 15s))
        << path << ": " << r.code << " " << r.body << "\n"
        << web_output();
    return json::parse(r.body.empty() ? "null" : r.body);
  }
  /// The queue names of /api/status for `query` ("" or "?db=NAME").
  std::vector<std::string> queues(const std::string& query,
                                  const std::vector<std::string>& curl_args = {}) {
    std::vector<std::string> out;
    json s = ready("/api/status" + query, curl_args);
    if (s.is_object())
      for (auto& q : s["queues"]) out.push_back(q["name"]);
    return out;
  }
  /// The served databases' names, in /api/databases' order, once each is
  /// known (one database: its name once the sampler read it).
  std::vector<std::string> served(const std::vector<std::string>& curl_args = {}) {
    std::vector<std::string> out;
    eventually(
        [&] {
          out.clear();
          const Http r = get("/api/databases", curl_args);
          if (r.code != 200) return false;
          const json d = json::parse(r.body);
          for (auto& x : d["databases"])
            out.push_back(x["name"].is_string() ? x["name"] : "(null)");
          return std::find(out.begin(), out.end(), "(null)") == out.end();
        },
        15s);
    return out;
  }
  std::string paused(pgqpp::Connection& c) {
    return std::string(
        c.exec("select queue_ticker_paused from pgq.queue where queue_name = 'shared_q'")
            .value(0, 0));
  }

  std::string second, without;
};

void expect_not_served(const Http& r, const std::string& what) {
  EXPECT_EQ(r.code, 404) << what << ": " << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/json; charset=utf-8") << what;
  EXPECT_NE(r.body.find("is not served by this console"), std::string::npos) << what << r.body;
}

// On a cluster of its own, so that it serves exactly the databases made
// here (and touches no other case's): beta (the --dsn's) and alpha with
// pgqpp, gamma without; then delta comes and alpha goes.
TEST_F(WebDatabases, AllDatabasesServesThoseWithPgq) {
  OwnCluster cluster(work + "/own");
  ASSERT_TRUE(cluster.started()) << "cannot start a cluster of its own";
  pgqpp::Connection admin(cluster.conninfo());
  for (const char* name : {"alpha", "beta", "gamma"})
    admin.exec(std::string("create database ") + name);
  pgqpp::Connection alpha(cluster.conninfo("alpha")), beta(cluster.conninfo("beta"));
  alpha.exec("create extension pgqpp");
  alpha.exec("select pgq.create_queue('alpha_q'), pgq.create_queue('shared_q')");
  beta.exec("create extension pgqpp");
  beta.exec("select pgq.create_queue('beta_q')");
  start_web({"--dsn", cluster.conninfo("beta"), "--all-databases", "--check-period", "0.5"});
  // The --dsn's database first (the default), then the others by name.
  EXPECT_EQ(served(), (std::vector<std::string>{"beta", "alpha"})) << web_output();
  EXPECT_NE(web_output().find("pgqpp web: databases beta, alpha\n"), std::string::npos)
      << web_output();
  json d = ready("/api/databases");
  EXPECT_EQ(d["databases"][0]["default"], true) << d;
  EXPECT_EQ(d["databases"][1]["default"], false) << d;

  // Each database shows its own queues; without ?db=, the default's.
  EXPECT_EQ(queues(""), (std::vector<std::string>{"beta_q"}));
  EXPECT_EQ(queues("?db=beta"), (std::vector<std::string>{"beta_q"}));
  EXPECT_EQ(queues("?db=alpha"), (std::vector<std::string>{"alpha_q", "shared_q"}));
  EXPECT_EQ(ready("/api/status?db=alpha")["database"], "alpha");
  json series = ready("/api/series?db=alpha");
  ASSERT_FALSE(series["samples"].empty()) << series;
  EXPECT_EQ(series["samples"].back()["queues"].size(), 2u) << series;
  EXPECT_EQ(series["samples"].back()["queues"][0]["name"], "alpha_q") << series;
  EXPECT_EQ(ready("/api/queue/alpha_q?db=alpha")["status"]["database"], "alpha");
  EXPECT_EQ(get("/api/queue/alpha_q").code, 404) << "not a queue of the default database";
  const std::string stream =
      command_output("curl -s -N --max-time 2 'http://127.0.0.1:" + std::to_string(port) +
                     "/api/stream?db=alpha'");
  EXPECT_NE(stream.find("\"database\":\"alpha\""), std::string::npos) << stream;
  EXPECT_EQ(stream.find("\"database\":\"beta\""), std::string::npos) << stream;

  // A database not served (without PgQ, none, unknown, empty): 404 from every endpoint.
  for (const std::string path :
       {"/api/status", "/api/series", "/api/stream", "/api/queue/alpha_q", "/api/actions"}) {
    for (const std::string db : {"gamma", "postgres", "nosuchdb", ""})
      expect_not_served(get(path + "?db=" + db), path + " ?db=" + db);
  }

  // Looked for again every --check-period: a new database with PgQ is
  // served, a dropped one no longer; the default stays.
  admin.exec("create database delta");
  pgqpp::Connection(cluster.conninfo("delta")).exec("create extension pgqpp");
  admin.exec("drop database alpha with (force)");
  EXPECT_TRUE(eventually(
      [&] {
        return served() == std::vector<std::string>{"beta", "delta"};
      },
      15s))
      << ready("/api/databases") << "\n"
      << web_output();
  EXPECT_EQ(queues("?db=delta"), std::vector<std::string>{});
  expect_not_served(get("/api/status?db=alpha"), "a dropped database");
  EXPECT_NE(web_output().find("pgqpp web: serving database delta too\n"), std::string::npos)
      << web_output();
  EXPECT_NE(web_output().find("pgqpp web: database alpha is gone"), std::string::npos)
      << web_output();
  EXPECT_EQ(queues(""), (std::vector<std::string>{"beta_q"}));

  // A database the role may not connect to is left out, and said once.
  admin.exec("create database epsilon");
  admin.exec("revoke connect on database epsilon from public");
  admin.exec("create role watcher login in role pgq_reader");
  web.reset();
  start_web({"--dsn", cluster.conninfo("beta") + " user=watcher", "--all-databases",
             "--check-period", "0.2"});
  EXPECT_EQ(served(), (std::vector<std::string>{"beta", "delta"})) << web_output();
  std::this_thread::sleep_for(1500ms);  // several more looks
  const std::string out = web_output();
  const std::string skip = "pgqpp web: skipping database epsilon: ";
  ASSERT_NE(out.find(skip), std::string::npos) << out;
  EXPECT_EQ(out.find(skip, out.find(skip) + 1), std::string::npos) << "said once:\n" << out;
  web.reset();  // stopped before its cluster
}

TEST_F(WebDatabases, ActionsGoToTheNamedDatabase) {
  make_databases();
  std::ofstream(work + "/token") << token << "\n";
  start_web({"--database", second, "--database", dbname, "--database", second, "--allow-actions",
             "--token-file", work + "/token"});
  const std::vector<std::string> auth = {"-H", "Authorization: Bearer " + token};
  // As named, the first the default, each once.
  EXPECT_EQ(served(auth), (std::vector<std::string>{second, dbname}));
  EXPECT_EQ(queues("", auth), (std::vector<std::string>{"shared_q", "two_q"}));
  EXPECT_EQ(queues("?db=" + dbname, auth), (std::vector<std::string>{"one_q", "shared_q"}));
  EXPECT_EQ(ready("/api/actions?db=" + dbname, auth)["permitted"], true);

  auto act = [&](const std::string& body) {
    std::vector<std::string> args = auth;
    args.insert(args.end(),
                {"-H", "Content-Type: application/json", "-X", "POST", "--data-binary", body});
    return get("/api/action/pause", args);
  };
  pgqpp::Connection two(conninfo(second));
  Http r = act(R"({"queue": "shared_q", "db": ")" + dbname + "\"}");
  EXPECT_EQ(r.code, 200) << r.body;
  EXPECT_EQ(paused(*db), "t");
  EXPECT_EQ(paused(two), "f") << "the action went to the other database";
  EXPECT_NE(web_output().find("pgqpp web: action pause {\"db\":\"" + dbname +
                              "\",\"queue\":\"shared_q\"} from 127.0.0.1: 200"),
            std::string::npos)
      << web_output();
  r = act(R"({"queue": "shared_q"})");
  EXPECT_EQ(r.code, 200) << r.body;
  EXPECT_EQ(paused(two), "t") << "without \"db\": the default database";
  r = act(R"({"queue": "one_q", "db": ")" + second + "\"}");
  EXPECT_EQ(r.code, 404) << "one_q is not in " << second << ": " << r.body;

  expect_not_served(act(R"({"queue": "shared_q", "db": ")" + without + "\"}"), "action");
  expect_not_served(act(R"({"queue": "shared_q", "db": "nosuchdb"})"), "action");
  r = act(R"({"queue": "shared_q", "db": 1})");
  EXPECT_EQ(r.code, 400) << r.body;
}

TEST_F(WebDatabases, AnUnreachableDatabaseIsItsOwnError) {
  make_databases();
  const std::string gone = dbname + "_gone";  // no such database
  // --dsn as a URI naming another database: --database replaces it.
  start_web({"--dsn", "postgresql:///postgres?options=-c%20statement_timeout%3D120s", "--database",
             dbname, "--database", gone});
  EXPECT_NE(web_output().find("pgqpp web: databases " + dbname + ", " + gone + "\n"),
            std::string::npos)
      << web_output();
  EXPECT_EQ(queues(""), (std::vector<std::string>{"one_q", "shared_q"}));
  Http st;
  ASSERT_TRUE(eventually([&] { return (st = get("/api/status?db=" + gone)).code == 503; }, 15s))
      << st.code << " " << st.body;
  EXPECT_NE(st.body.find(gone), std::string::npos) << st.body;
  json d = ready("/api/databases");
  ASSERT_EQ(d["databases"].size(), 2u) << d;
  EXPECT_EQ(d["databases"][0]["reachable"], true) << d;
  EXPECT_TRUE(d["databases"][0]["error"].is_null()) << d;
  EXPECT_EQ(d["databases"][1]["name"], gone) << d;
  EXPECT_EQ(d["databases"][1]["reachable"], false) << d;
  EXPECT_TRUE(d["databases"][1]["error"].is_string()) << d;
  EXPECT_EQ(get("/api/status").code, 200) << "the default database still answers";
}

TEST_F(WebDatabases, OneDatabaseAnswersToItsName) {
  make_databases();
  start_web();
  EXPECT_EQ(served(), (std::vector<std::string>{dbname}));
  EXPECT_EQ(queues("?db=" + dbname), (std::vector<std::string>{"one_q", "shared_q"}));
  expect_not_served(get("/api/status?db=" + second), "another database");
  EXPECT_EQ(web_output().find("pgqpp web: databases"), std::string::npos) << web_output();
}

TEST_F(WebDatabases, RefusesBothWaysOfNaming) {
  const std::string err = work + "/web.err";
  const int status = run_command("timeout 10 " + pgqpp() + " web --all-databases --database x 2>" +
                                 shell_quote(err));
  EXPECT_TRUE(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 2) << read_file(err);
  EXPECT_NE(read_file(err).find("give --all-databases or --database NAME, not both"),
            std::string::npos)
      << read_file(err);
}

}  // namespace
}  // namespace pgqpp_cluster
