// SPDX-License-Identifier: PostgreSQL
// `pgqpp web` over HTTP (issue 26): every endpoint answers with what the
// database holds (/api/status in status --json's shape, checked by the
// same schema), names and payloads with markup come back escaped, the
// token rules hold, every answer has the security headers, and a database
// that cannot be reached gives a prompt error instead of a hang.
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "web_fixture.hpp"

namespace pgqpp_cluster {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

const std::string evil_queue = "<script>alert(1)</script>";
const std::string evil_payload = "<script>alert(\"x\")</script>";

// Queue q with consumers fast (caught up) and slow (behind, lagging over a
// threshold of 0.5 s), and the queue named with markup holding an event
// with markup and one with a control byte.
void make_queues(pgqpp::Connection& db) {
  db.exec("select pgq.create_queue('q')");
  db.exec("select pgq.register_consumer('q', 'fast'), pgq.register_consumer('q', 'slow')");
  db.exec("select pgq.create_queue($1)", {evil_queue});
  db.exec("select pgq.insert_event($1, 'html', $2)", {evil_queue, evil_payload});
  db.exec("select pgq.insert_event($1, 'bin', 'a' || chr(1) || 'b')", {evil_queue});
  db.exec("select pgq.insert_event('q', 't', 'one')");
}

void check_security_headers(const Http& r) {
  EXPECT_EQ(r.header("X-Frame-Options"), "DENY") << r.headers;
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff") << r.headers;
  const std::string csp = r.header("Content-Security-Policy");
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
}

using WebConsole = WebTest;

TEST_F(WebConsole, EveryEndpointAnswers) {
  make_queues(*db);
  tick("q");
  tick(evil_queue);
  start_web({"--lag-threshold", "0.5"});

  // --- /api/status: status --json's shape, the same schema ---
  Http st;
  ASSERT_TRUE(eventually([&] { return (st = get("/api/status")).code == 200; }, 15s))
      << st.code << " " << st.body << "\n"
      << web_output();
  EXPECT_EQ(st.header("Content-Type"), "application/json; charset=utf-8");
  check_security_headers(st);
  std::ofstream(work + "/status.json") << st.body;
  const std::string root = cluster_env("PGQPP_SOURCE_DIR");
  EXPECT_EQ(run_command("python3 " + root + "/tests/cli/check_json_shape.py " + root +
                        "/tests/cli/status.schema.json " + work + "/status.json >" + work +
                        "/shape.out 2>&1"),
            0)
      << read_file(work + "/shape.out");
  // Markup in a name comes back escaped even inside the JSON string.
  EXPECT_EQ(st.body.find("<script>"), std::string::npos) << st.body;
  EXPECT_NE(st.body.find("\\u003cscript\\u003e"), std::string::npos) << st.body;
  json s = json::parse(st.body);
  EXPECT_EQ(s["database"], dbname);
  std::vector<std::string> names;
  for (auto& q : s["queues"]) names.push_back(q["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{evil_queue, "q"}));

  // slow lags once its position is older than 0.5 s and there is a newer tick
  tick("q");
  pgqpp::Connection c(conninfo(dbname));
  catch_up(c, "q", "fast");
  std::this_thread::sleep_for(700ms);
  tick("q");
  catch_up(c, "q", "fast");
  ASSERT_TRUE(eventually(
      [&] {
        json d = json::parse(get("/api/status").body);
        for (auto& x : d["consumers"])
          if (x["name"] == "slow" && x["lagging"] == true) return true;
        return false;
      },
      15s))
      << get("/api/status").body;
  json d = json::parse(get("/api/status").body);
  for (auto& x : d["consumers"])
    if (x["name"] == "fast") EXPECT_FALSE(x["lagging"].get<bool>()) << x;

  // --- /api/series: one sample a second, bounded, with both queues ---
  Http se = get("/api/series");
  ASSERT_EQ(se.code, 200) << se.body;
  json series = json::parse(se.body);
  EXPECT_EQ(series["interval_seconds"], 1.0);
  EXPECT_EQ(series["history_seconds"], 600.0);
  ASSERT_GE(series["samples"].size(), 2u) << se.body;
  const json& last = series["samples"].back();
  EXPECT_TRUE(last["time"].is_number_integer()) << last;
  EXPECT_EQ(last["queues"].size(), 2u) << last;
  EXPECT_EQ(last["consumers"].size(), 2u) << last;

  // --- /api/stream: server-sent events, one round each ---
  const std::string stream = command_output(
      "curl -s -N --max-time 3 http://127.0.0.1:" + std::to_string(port) + "/api/stream");
  std::regex data_line("^data: (.*)$", std::regex::multiline);
  std::vector<json> rounds;
  for (std::sregex_iterator it(stream.begin(), stream.end(), data_line), end; it != end; ++it)
    rounds.push_back(json::parse((*it)[1].str()));
  ASSERT_GE(rounds.size(), 2u) << stream;
  EXPECT_GT(rounds[1]["seq"].get<int>(), rounds[0]["seq"].get<int>());
  EXPECT_TRUE(rounds[1]["error"].is_null());
  EXPECT_EQ(rounds[1]["status"]["queues"].size(), 2u);
  EXPECT_EQ(rounds[1]["sample"]["consumers"].size(), 2u);

  // --- /api/queue/NAME: settings, consumers, retries, events ---
  Http qd = get("/api/queue/%3Cscript%3Ealert(1)%3C%2Fscript%3E");
  ASSERT_EQ(qd.code, 200) << qd.body;
  EXPECT_EQ(qd.body.find("<script>"), std::string::npos) << qd.body;
  json detail = json::parse(qd.body);
  EXPECT_EQ(detail["status"]["queues"][0]["name"], evil_queue);
  ASSERT_EQ(detail["events"].size(), 2u) << qd.body;
  EXPECT_EQ(detail["events"][0]["data"]["text"], "a\\x01b");  // newest first
  EXPECT_EQ(detail["events"][0]["data"]["binary"], true);
  EXPECT_EQ(detail["events"][1]["data"]["text"], evil_payload);
  EXPECT_EQ(detail["events"][1]["data"]["binary"], false);
  EXPECT_EQ(detail["events"][1]["type"]["text"], "html");
  Http qq = get("/api/queue/q");
  ASSERT_EQ(qq.code, 200) << qq.body;
  json qdetail = json::parse(qq.body);
  EXPECT_EQ(qdetail["retries"].size(), 2u) << qq.body;
  EXPECT_EQ(qdetail["status"]["consumers"].size(), 2u) << qq.body;
  // A long payload is cut, and says so.
  db->exec("select pgq.insert_event('q', 'long', repeat('x', 2000))");
  json big = json::parse(get("/api/queue/q").body)["events"][0]["data"];
  EXPECT_EQ(big["text"].get<std::string>().size(), 500u);
  EXPECT_EQ(big["bytes"], 2000);
  EXPECT_EQ(big["truncated"], true);
  // Names are parameters: quotes are just part of a name that does not exist.
  Http missing = get("/api/queue/x'%3B%20drop%20table%20pgq.queue%3B--");
  EXPECT_EQ(missing.code, 404) << missing.body;
  EXPECT_NE(json::parse(missing.body)["error"].get<std::string>().find("does not exist"),
            std::string::npos)
      << missing.body;
  EXPECT_EQ(q("select count(*) from pgq.queue"), "2");

  // --- the page and its assets: embedded, scripts in their own file ---
  Http page = get("/");
  ASSERT_EQ(page.code, 200);
  check_security_headers(page);
  EXPECT_EQ(page.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<script src=\"/app.js\" defer></script>"), std::string::npos);
  EXPECT_EQ(std::regex_search(page.body, std::regex("<script>|<script [^>]*>[^<]")), false)
      << "no inline script: the CSP forbids it";
  Http js = get("/app.js");
  ASSERT_EQ(js.code, 200);
  EXPECT_EQ(js.header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js.body.find("innerHTML"), std::string::npos) << "text goes in with textContent";
  EXPECT_EQ(get("/style.css").code, 200);
  Http none = get("/nothing");
  EXPECT_EQ(none.code, 404);
  check_security_headers(none);
  // Without a token, only loopback names: no DNS rebinding from another site.
  Http rebound = get("/api/status", {"-H", "Host: evil.example:" + std::to_string(port)});
  EXPECT_EQ(rebound.code, 403) << rebound.body;
  check_security_headers(rebound);
  EXPECT_EQ(get("/", {"-H", "Host: evil.example"}).code, 403);
  EXPECT_EQ(get("/api/status", {"-H", "Host: localhost:" + std::to_string(port)}).code, 200);
  EXPECT_EQ(get("/api/status", {"-H", "Host: [::1]:" + std::to_string(port)}).code, 200);
}

TEST_F(WebConsole, TokenRules) {
  db->exec("select pgq.create_queue('q')");
  const std::string token = "0123456789abcdef0123456789abcdef";
  std::ofstream(work + "/token") << token << "\n";
  start_web({"--token-file", work + "/token"});

  Http none = get("/api/status");
  EXPECT_EQ(none.code, 401) << none.body;
  check_security_headers(none);
  EXPECT_EQ(none.header("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(get("/").code, 401);
  EXPECT_EQ(get("/app.js").code, 401);
  EXPECT_EQ(get("/api/stream").code, 401);
  EXPECT_EQ(get("/api/status", {"-H", "Authorization: Bearer " + token + "x"}).code, 401);
  EXPECT_EQ(get("/api/status", {"-H", "Authorization: Bearer " + token.substr(1)}).code, 401);
  EXPECT_EQ(get("/api/status", {"-H", "Authorization: Bearer " + token}).code, 200);
  EXPECT_EQ(get("/api/series", {"-b", "pgqpp_token=nope"}).code, 401);

  // The link with the token sets the cookie and drops the token from the address.
  EXPECT_EQ(get("/?token=wrong").code, 401);
  Http link = get("/?token=" + token);
  EXPECT_EQ(link.code, 303);
  EXPECT_EQ(link.header("Location"), "/");
  const std::string cookie = link.header("Set-Cookie");
  EXPECT_EQ(cookie.rfind("pgqpp_token=" + token + ";", 0), 0u) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_EQ(get("/api/series", {"-b", "pgqpp_token=" + token}).code, 200);
  EXPECT_EQ(get("/", {"-b", "pgqpp_token=" + token}).code, 200);
  // With the token, any name (the console may be reached by its host name).
  EXPECT_EQ(get("/", {"-b", "pgqpp_token=" + token, "-H", "Host: db.example"}).code, 200);
}

TEST_F(WebConsole, RefusesUnsafeListening) {
  const std::string dsn = shell_quote(conninfo(dbname));
  auto run = [&](const std::string& args) {
    int status = run_command("timeout 10 " + pgqpp() + " web --dsn " + dsn + " " + args + " >" +
                             out + " 2>" + err);
    return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  const std::string open = "0.0.0.0:" + std::to_string(free_port());
  EXPECT_EQ(run("--listen " + open), 2) << read_file(err);
  EXPECT_EQ(read_file(err), "pgqpp web: --listen " + open +
                                " is reachable from other hosts: give --token-file too (see "
                                "pgqpp web --help)\n");
  EXPECT_EQ(run("--listen '[::]:1'"), 2) << read_file(err);
  EXPECT_EQ(run("--listen nowhere"), 2) << read_file(err);
  std::ofstream(work + "/short") << "abc\n";
  EXPECT_EQ(run("--token-file " + work + "/short"), 1) << read_file(err);
  EXPECT_NE(read_file(err).find("shorter than 16"), std::string::npos) << read_file(err);
}

TEST_F(WebConsole, UnreachableDatabaseIsABanner) {
  // Nothing listens on the port: every round fails fast, the API says why.
  start_web({"--dsn", "host=127.0.0.1 port=" + std::to_string(free_port()) + " dbname=x"});
  const auto started = std::chrono::steady_clock::now();
  Http st = get("/api/status");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 6s);
  EXPECT_EQ(st.code, 503) << st.body;
  EXPECT_FALSE(json::parse(st.body)["error"].get<std::string>().empty()) << st.body;
  EXPECT_EQ(get("/").code, 200);
  Http qd = get("/api/queue/q");
  EXPECT_EQ(qd.code, 503) << qd.body;
  const std::string stream = command_output(
      "curl -s -N --max-time 2 http://127.0.0.1:" + std::to_string(port) + "/api/stream");
  EXPECT_NE(stream.find("\"error\":\""), std::string::npos) << stream;
  EXPECT_NE(stream.find("\"status\":null"), std::string::npos) << stream;
}

TEST_F(WebConsole, ReadsAsPgqReader) {
  // The console only reads: a role with pgq_reader alone is enough.
  make_queues(*db);
  tick("q");
  const std::string role = "web_reader_" + dbname.substr(dbname.rfind('_') + 1);
  db->exec("create role " + role + " login in role pgq_reader");
  struct DropRole {
    pgqpp::Connection& db;
    std::string role;
    ~DropRole() {
      try {
        db.exec("drop owned by " + role);
        db.exec("drop role " + role);
      } catch (const std::exception&) {
      }
    }
  } drop_role{*db, role};
  start_web({"--dsn", conninfo(dbname) + " user=" + role});
  Http st;
  ASSERT_TRUE(eventually([&] { return (st = get("/api/status")).code == 200; }, 15s))
      << st.code << " " << st.body;
  EXPECT_EQ(json::parse(st.body)["consumers"].size(), 2u) << st.body;
  Http qd = get("/api/queue/q");
  ASSERT_EQ(qd.code, 200) << qd.body;
  json detail = json::parse(qd.body);
  EXPECT_TRUE(detail["retries"].is_null()) << "pgq_reader may not read pgq.retry_queue";
  EXPECT_EQ(detail["events"].size(), 1u) << qd.body;
  web.reset();  // stopped while the role still exists
}

TEST_F(WebConsole, StopsOnSigtermWithAStreamOpen) {
  db->exec("select pgq.create_queue('q')");
  start_web();
  Process stream(
      {"/usr/bin/curl", "-s", "-N", "http://127.0.0.1:" + std::to_string(port) + "/api/stream"},
      work + "/stream.out");
  ASSERT_TRUE(eventually(
      [&] { return read_file(work + "/stream.out").find("data: ") != std::string::npos; }, 15s))
      << read_file(work + "/stream.out");
  web->signal(SIGTERM);
  EXPECT_EQ(web->wait(5s), 0) << web_output();
  EXPECT_EQ(stream.wait(5s), 0) << "the stream ends with the server";
}

}  // namespace
}  // namespace pgqpp_cluster
