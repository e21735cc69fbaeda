// SPDX-License-Identifier: PostgreSQL
// `pgqpp web` over HTTP (issue 26): every endpoint answers with what the
// database holds (/api/status in status --json's shape, checked by the
// same schema), names and payloads with markup come back escaped, the
// token rules hold, every answer has the security headers, and a database
// that cannot be reached gives a prompt error instead of a hang. With
// --allow-actions (and only then, with a token, a JSON body and a role that
// may) each action changes the database and is logged.
#include <algorithm>
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
  for (auto& x : d["consumers"]) {
    if (x["name"] == "fast") {
      EXPECT_FALSE(x["lagging"].get<bool>()) << x;
    }
  }

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

// --- actions (--allow-actions) ---

const std::string token = "0123456789abcdef0123456789abcdef";

class WebActions : public WebTest {
 protected:
  void start_acting(const std::vector<std::string>& more = {}) {
    std::ofstream(work + "/token") << token << "\n";
    std::vector<std::string> args = {"--allow-actions", "--token-file", work + "/token"};
    args.insert(args.end(), more.begin(), more.end());
    start_web(args);
  }
  /// POST `body` to /api/action/NAME with exactly the curl arguments `args`.
  Http post(const std::string& name, const std::string& body, std::vector<std::string> args) const {
    args.insert(args.end(), {"-X", "POST", "--data-binary", body});
    return get("/api/action/" + name, args);
  }
  /// POST as the page does: the token, a JSON body.
  Http act(const std::string& name, const std::string& body) const {
    return post(name, body,
                {"-H", "Authorization: Bearer " + token, "-H", "Content-Type: application/json"});
  }
  std::string paused() {
    return q("select queue_ticker_paused from pgq.queue where queue_name = 'q'");
  }
  Http actions() const { return get("/api/actions", {"-H", "Authorization: Bearer " + token}); }
};

// Events of q that `consumer` takes in one batch and hands to `fn` (batch, event ids).
template <class F>
void with_batch(pgqpp::Connection& c, const std::string& consumer, F fn) {
  const std::string batch(c.exec("select pgq.next_batch('q', $1)", {consumer}).value(0, 0));
  auto ev = c.exec("select ev_id from pgq.get_batch_events($1::bigint) order by ev_id", {batch});
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < ev.size(); ++i) ids.emplace_back(ev.value(i, 0));
  fn(batch, ids);
  c.exec("select pgq.finish_batch($1::bigint)", {batch});
}

TEST_F(WebActions, EachActionChangesTheDatabase) {
  db->exec("select pgq.create_queue('q')");
  db->exec("select pgq.register_consumer('q', 'a'), pgq.register_consumer('q', 'b')");
  for (int i = 0; i < 3; ++i) db->exec("select pgq.insert_event('q', 't', 'x')");
  tick("q");
  pgqpp::Connection c(conninfo(dbname));
  // a retries two events (due now); b gives up on all three (dead letters).
  with_batch(c, "a", [&](const std::string& b, const std::vector<std::string>& ids) {
    for (int i = 0; i < 2; ++i)
      c.exec("select pgq.event_retry($1::bigint, $2::bigint, 0)", {b, ids[i]});
  });
  std::vector<std::string> dead;
  with_batch(c, "b", [&](const std::string& b, const std::vector<std::string>& ids) {
    for (const auto& id : ids)
      c.exec("select pgq.event_dead($1::bigint, $2::bigint, 'bad')", {b, id});
    dead = ids;
  });
  ASSERT_EQ(dead.size(), 3u);
  start_acting();

  json a = json::parse(actions().body);
  EXPECT_EQ(a["enabled"], true) << a;
  EXPECT_EQ(a["permitted"], true) << a;

  // pause, resume
  Http r = act("pause", R"({"queue": "q"})");
  EXPECT_EQ(r.code, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["result"], "paused the ticker of queue q");
  EXPECT_EQ(paused(), "t");
  r = act("resume", R"({"queue": "q"})");
  EXPECT_EQ(r.code, 200) << r.body;
  EXPECT_EQ(paused(), "f");

  // retry: a's two due events go back into the queue
  ASSERT_EQ(q("select count(*) from pgq.retry_queue"), "2");
  r = act("retry", R"({"queue": "q", "consumer": "a"})");
  EXPECT_EQ(r.code, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["moved"], 2) << r.body;
  EXPECT_EQ(q("select count(*) from pgq.retry_queue"), "0");

  // replay one dead letter, purge the rest, an id that is none is 404
  r = act("replay", R"({"queue": "q", "consumer": "b", "event_id": )" + dead[0] + "}");
  EXPECT_EQ(r.code, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["count"], 1) << r.body;
  EXPECT_EQ(q("select count(*) from pgq.dead_letters('q', 'b')"), "2");
  EXPECT_EQ(act("replay", R"({"queue": "q", "consumer": "b", "event_id": )" + dead[0] + "}").code,
            404);
  EXPECT_EQ(act("purge", R"({"queue": "q", "consumer": "b"})").code, 400) << "one event_id or all";
  r = act("purge", R"({"queue": "q", "consumer": "b", "all": true})");
  EXPECT_EQ(r.code, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["count"], 2) << r.body;
  EXPECT_EQ(q("select count(*) from pgq.dead_letters('q', 'b')"), "0");

  // unregister
  r = act("unregister", R"({"queue": "q", "consumer": "a"})");
  EXPECT_EQ(r.code, 200) << r.body;
  EXPECT_EQ(q("select string_agg(consumer_name, ',') from pgq.get_consumer_info('q')"), "b");
  EXPECT_EQ(act("unregister", R"({"queue": "q", "consumer": "a"})").code, 404);

  // Parameters only: a name with SQL in it is a queue that does not exist.
  r = act("pause", R"({"queue": "q'; drop table pgq.queue; --"})");
  EXPECT_EQ(r.code, 404) << r.body;
  EXPECT_EQ(q("select count(*) from pgq.queue"), "1");
  EXPECT_EQ(act("pause", R"({"queue": 5})").code, 400);
  EXPECT_EQ(act("pause", "not json").code, 400);
  EXPECT_EQ(act("drop", R"({"queue": "q"})").code, 404);

  // Without the token 401; without a JSON body or from another origin 403.
  const std::string body = R"({"queue": "q"})";
  const std::string bearer = "Authorization: Bearer " + token,
                    json_type = "Content-Type: application/json";
  r = post("pause", body, {"-H", json_type});
  EXPECT_EQ(r.code, 401) << r.body;
  r = post("pause", body, {"-H", bearer, "-H", "Content-Type: text/plain"});
  EXPECT_EQ(r.code, 403) << r.body;
  r = post("pause", body, {"-H", bearer});  // curl's form type
  EXPECT_EQ(r.code, 403) << r.body;
  r = post("pause", body, {"-H", bearer, "-H", json_type, "-H", "Origin: http://evil.example"});
  EXPECT_EQ(r.code, 403) << r.body;
  EXPECT_EQ(paused(), "f");
  r = post("pause", std::string(100000, ' ') + body, {"-H", bearer, "-H", json_type});
  EXPECT_EQ(r.code, 413) << "bodies are small: " << r.body;
  r = post("pause", body, {"-b", "pgqpp_token=" + token, "-H", json_type});
  EXPECT_EQ(r.code, 200) << "the page's cookie is enough: " << r.body;
  EXPECT_EQ(paused(), "t");

  // One log line per action: who, what, parameters, result.
  const std::string log = web_output();
  EXPECT_NE(log.find("pgqpp web: action pause {\"queue\":\"q\"} from 127.0.0.1: 200 "
                     "\"paused the ticker of queue q\"\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("pgqpp web: action purge {\"all\":true,\"consumer\":\"b\",\"queue\":\"q\"} "
                     "from 127.0.0.1: 200 \"purged 2 dead letters of consumer b on queue q\"\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("pgqpp web: action pause - from 127.0.0.1: 400 \"the body is not JSON\"\n"),
            std::string::npos)
      << log;
}

TEST_F(WebActions, OffWithoutAllowActions) {
  db->exec("select pgq.create_queue('q')");
  std::ofstream(work + "/token") << token << "\n";
  start_web({"--token-file", work + "/token"});
  EXPECT_EQ(json::parse(actions().body), json::parse(R"({"enabled": false, "permitted": false})"));
  Http r = act("pause", R"({"queue": "q"})");
  EXPECT_EQ(r.code, 403) << r.body;
  EXPECT_NE(r.body.find("--allow-actions"), std::string::npos) << r.body;
  EXPECT_EQ(paused(), "f");
  web.reset();

  // --allow-actions needs a token.
  const int status = run_command(
      "timeout 10 " + pgqpp() + " web --allow-actions --dsn " + shell_quote(conninfo(dbname)) +
      " --listen 127.0.0.1:" + std::to_string(free_port()) + " >" + out + " 2>" + err);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << status << read_file(err);
  EXPECT_EQ(read_file(err),
            "pgqpp web: --allow-actions lets the page change the database: give --token-file too "
            "(see pgqpp web --help)\n");
}

TEST_F(WebActions, RefusedToPgqReader) {
  db->exec("select pgq.create_queue('q')");
  db->exec("select pgq.register_consumer('q', 'a')");
  const std::string role = "web_actor_" + dbname.substr(dbname.rfind('_') + 1);
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
  start_acting({"--dsn", conninfo(dbname) + " user=" + role});
  json a = json::parse(actions().body);
  EXPECT_EQ(a["enabled"], true) << a;
  EXPECT_EQ(a["permitted"], false) << a;
  EXPECT_NE(a["missing"].dump().find("pgq.set_queue_config"), std::string::npos) << a;
  Http r = act("pause", R"({"queue": "q"})");
  EXPECT_EQ(r.code, 403) << r.body;
  EXPECT_EQ(paused(), "f");
  // pgq_reader may unregister consumers in SQL, but the console offers no
  // actions to such a role at all.
  r = act("unregister", R"({"queue": "q", "consumer": "a"})");
  EXPECT_EQ(r.code, 403) << r.body;
  EXPECT_EQ(q("select count(*) from pgq.get_consumer_info('q')"), "1");
  web.reset();  // stopped while the role still exists
}

}  // namespace
}  // namespace pgqpp_cluster
