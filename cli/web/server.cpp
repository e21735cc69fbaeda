// SPDX-License-Identifier: PostgreSQL
// The routes of `pgqpp web` on cpp-httplib (server.hpp).
#include "server.hpp"

#include <httplib.h>
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "actions.hpp"
#include "assets.hpp"
#include "databases.hpp"
#include "escape_text.hpp"
#include "listen_address.hpp"
#include "queue_detail.hpp"
#include "sampler.hpp"
#include "stop_signals.hpp"
#include "token.hpp"

namespace pgqpp::cli::web {

namespace {

using namespace std::chrono_literals;

// Every response: no framing (clickjacking), no content sniffing, scripts
// and styles from this server only (no inline script), nothing cached.
httplib::Headers security_headers() {
  return {{"X-Frame-Options", "DENY"},
          {"X-Content-Type-Options", "nosniff"},
          {"Content-Security-Policy",
           "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
           "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
          {"Referrer-Policy", "no-referrer"},
          {"Cache-Control", "no-store"}};
}

// Invalid UTF-8 from the database becomes U+FFFD instead of an exception;
// < > & (found only inside JSON strings) become \u escapes, so that no
// document, however a client misreads it, holds markup.
std::string dump(const nlohmann::json& j) {
  const std::string raw = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(raw.size());
  for (const char c : raw) {
    if (c == '<')
      out += "\\u003c";
    else if (c == '>')
      out += "\\u003e";
    else if (c == '&')
      out += "\\u0026";
    else
      out += c;
  }
  return out;
}

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(dump(body), "application/json; charset=utf-8");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, status, {{"error", message}});
}

// The access rule, before any route. Without a token: only requests for a
// loopback name (no DNS rebinding). With one: a request without it gets 401.
// GET /?token=T (the link an operator opens once) sets the cookie and
// redirects to the page without the token in its address.
httplib::Server::HandlerResponse check_token(const std::string& token, const httplib::Request& req,
                                             httplib::Response& res) {
  if (token.empty()) {
    if (is_loopback_host_header(req.get_header_value("Host")))
      return httplib::Server::HandlerResponse::Unhandled;
    send_error(res, 403,
               "this console answers only to a loopback address (e.g. 127.0.0.1): give "
               "--token-file to serve other names");
    return httplib::Server::HandlerResponse::Handled;
  }
  if (req.path == "/" && req.has_param("token")) {
    if (!same_token(req.get_param_value("token"), token)) {
      send_error(res, 401, "wrong token");
      return httplib::Server::HandlerResponse::Handled;
    }
    res.set_header("Set-Cookie",
                   std::string(token_cookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict");
    res.set_redirect("/", 303);
    return httplib::Server::HandlerResponse::Handled;
  }
  const std::string given =
      request_token(req.get_header_value("Authorization"), req.get_header_value("Cookie"));
  if (same_token(given, token)) return httplib::Server::HandlerResponse::Unhandled;
  res.set_header("WWW-Authenticate", "Bearer");
  send_error(res, 401,
             "a token is required: open /?token=TOKEN once, or send Authorization: Bearer TOKEN");
  return httplib::Server::HandlerResponse::Handled;
}

void serve_status(const Sampler& sampler, httplib::Response& res) {
  Round r = sampler.latest();
  if (r.seq == 0) r = sampler.wait_after(0, 5s).value_or(Round{});
  if (r.seq == 0) return send_error(res, 503, "no sample of the database yet");
  if (!r.error.empty()) return send_error(res, 503, r.error);
  send_json(res, 200, r.status);
}

std::string event_text(const Round& r) {
  nlohmann::json body = {
      {"seq", r.seq},
      {"status", r.status},
      {"sample", r.sample},
      {"error", r.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error)}};
  return "id: " + std::to_string(r.seq) + "\ndata: " + dump(body) + "\n\n";
}

// Server-sent events: the newest round at once, then each new one; a
// comment line every 15 s keeps proxies from closing an idle stream.
// The stream holds its database: one dropped while it runs (stopped) ends it.
void serve_stream(const DatabasePtr& db, httplib::Response& res) {
  auto last = std::make_shared<std::uint64_t>(0);
  res.set_chunked_content_provider(
      "text/event-stream", [db, last](std::size_t, httplib::DataSink& sink) {
        const Sampler& sampler = *db->sampler;
        std::optional<Round> r;
        if (*last == 0 && sampler.latest().seq > 0)
          r = sampler.latest();
        else
          r = sampler.wait_after(*last, 15s);
        if (sampler.stopped()) {
          sink.done();
          return true;
        }
        const std::string text = r ? event_text(*r) : ": keep-alive\n\n";
        if (r) *last = r->seq;
        return sink.write(text.data(), text.size());
      });
}

// A connection for one request: connecting and every statement limited to 3 s.
Connection request_connection(const ConnectOptions& conn) {
  const auto limit = std::chrono::milliseconds(3000);
  Connection db(conn.dsn, limit);
  db.set_query_timeout(limit);
  db.exec("select set_config('statement_timeout', $1, false)", {std::to_string(limit.count())});
  return db;
}

void serve_queue(const WebSettings& settings, const ServedDatabase& served, const std::string& name,
                 httplib::Response& res) {
  try {
    Connection db = request_connection(served.conn);
    send_json(res, 200, queue_detail(db, name, settings.lag_threshold, settings.event_limit));
  } catch (const Failure& e) {
    send_error(res, 404, e.what());
  } catch (const std::exception& e) {
    send_error(res, 503, e.what());
  }
}

// GET /api/actions: whether the page may offer the actions, so that it
// shows their buttons only when they would work.
void serve_actions(const WebSettings& settings, const ServedDatabase& served,
                   httplib::Response& res) {
  if (!settings.allow_actions)
    return send_json(res, 200, {{"enabled", false}, {"permitted", false}});
  try {
    Connection db = request_connection(served.conn);
    const nlohmann::json missing = missing_privileges(db);
    send_json(res, 200, {{"enabled", true}, {"permitted", missing.empty()}, {"missing", missing}});
  } catch (const std::exception& e) {
    send_json(res, 503, {{"enabled", true}, {"permitted", false}, {"error", e.what()}});
  }
}

// Against cross-site requests (besides the token and its SameSite=Strict
// cookie): a JSON body, which a form of another site cannot send, and an
// Origin, when the browser sends one, that is this console's own.
std::string csrf_refusal(const httplib::Request& req) {
  const std::string type = req.get_header_value("Content-Type");
  if (type.rfind("application/json", 0) != 0) return "the body must be application/json";
  const std::string origin = req.get_header_value("Origin");
  if (!origin.empty() && origin != "http://" + req.get_header_value("Host"))
    return "a request from another origin (" + origin + ")";
  return "";
}

// One line on stderr per action asked for: who, what, with what, and how it ended.
void log_action(const httplib::Request& req, const std::string& name, const std::string& params,
                const ActionOutcome& out) {
  const std::string result = out.body.contains("error") ? out.body["error"].get<std::string>()
                                                        : out.body["result"].get<std::string>();
  std::fprintf(stderr, "pgqpp web: action %s %s from %s: %d %s\n", name.c_str(), params.c_str(),
               req.remote_addr.c_str(), out.status, dump(result).c_str());
  std::fflush(stderr);
}

std::string not_served(const std::string& db) {
  return "database " + db +
         " is not served by this console (GET /api/databases lists those it serves)";
}

ActionOutcome action(const WebSettings& settings, const ServedDatabases& dbs,
                     const std::string& name, const httplib::Request& req, nlohmann::json& params) {
  if (!settings.allow_actions)
    return {403, {{"error", "actions are off: start pgqpp web with --allow-actions"}}};
  if (!is_action(name)) return {404, {{"error", "no action " + name}}};
  if (const std::string why = csrf_refusal(req); !why.empty()) return {403, {{"error", why}}};
  params = nlohmann::json::parse(req.body, nullptr, false);
  if (params.is_discarded()) return {400, {{"error", "the body is not JSON"}}};
  const bool given = params.is_object() && params.contains("db");
  if (given && !params["db"].is_string()) return {400, {{"error", "\"db\" must be a string"}}};
  const std::string db_name = given ? params["db"].get<std::string>() : "";
  const DatabasePtr served = dbs.pick(given, db_name);
  if (served == nullptr) return {404, {{"error", not_served(db_name)}}};
  try {
    Connection db = request_connection(served->conn);
    return run_action(db, name, params);
  } catch (const std::exception& e) {
    return {503, {{"error", e.what()}}};
  }
}

void serve_action(const WebSettings& settings, const ServedDatabases& dbs, const std::string& name,
                  const httplib::Request& req, httplib::Response& res) {
  nlohmann::json params;
  const ActionOutcome out = action(settings, dbs, name, req, params);
  log_action(req, name, params.is_discarded() || params.is_null() ? "-" : dump(params), out);
  send_json(res, out.status, out.body);
}

// The served database a request names with ?db=NAME, or the default one;
// nullptr (and a 404 sent) when it names one this console does not serve.
DatabasePtr requested(const ServedDatabases& dbs, const httplib::Request& req,
                      httplib::Response& res) {
  const bool given = req.has_param("db");
  const std::string name = given ? req.get_param_value("db") : "";
  DatabasePtr d = dbs.pick(given, name);
  if (d == nullptr) send_error(res, 404, not_served(name));
  return d;
}

// GET /api/databases: the served databases, the default first, each with
// whether its latest sample could read it (null before the first).
void serve_databases(const ServedDatabases& dbs, httplib::Response& res) {
  nlohmann::json list = nlohmann::json::array();
  const std::vector<DatabasePtr> all = dbs.all();
  for (const auto& d : all) {
    const Round r = d->sampler->latest();
    const std::string name = d->label();
    list.push_back(
        {{"name", name.empty() ? nlohmann::json(nullptr) : nlohmann::json(name)},
         {"default", d == all.front()},
         {"reachable", r.seq == 0 ? nlohmann::json(nullptr) : nlohmann::json(r.error.empty())},
         {"error", r.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error)}});
  }
  send_json(res, 200, {{"databases", list}});
}

void add_routes(httplib::Server& svr, const WebSettings& settings, const ServedDatabases& dbs) {
  using Req = const httplib::Request&;
  using Res = httplib::Response&;
  svr.Get("/api/databases", [&](Req, Res res) { serve_databases(dbs, res); });
  svr.Get("/api/status", [&](Req req, Res res) {
    if (auto d = requested(dbs, req, res)) serve_status(*d->sampler, res);
  });
  svr.Get("/api/series", [&](Req req, Res res) {
    if (auto d = requested(dbs, req, res)) send_json(res, 200, d->sampler->series());
  });
  svr.Get("/api/stream", [&](Req req, Res res) {
    if (auto d = requested(dbs, req, res)) serve_stream(d, res);
  });
  svr.Get("/api/queue/(.+)", [&](Req req, Res res) {
    if (auto d = requested(dbs, req, res)) serve_queue(settings, *d, req.matches[1], res);
  });
  svr.Get("/api/actions", [&](Req req, Res res) {
    if (auto d = requested(dbs, req, res)) serve_actions(settings, *d, res);
  });
  svr.Post("/api/action/([a-z]+)",
           [&](Req req, Res res) { serve_action(settings, dbs, req.matches[1], req, res); });
  svr.Get("/(|app\\.js|style\\.css)", [](Req req, Res res) {
    const Asset* a = find_asset(req.path);
    res.set_content(std::string(a->body), std::string(a->content_type));
  });
}

// The databases to serve at start: the --dsn's own, or those --database
// names (each once), or with --all-databases those that have PgQ.
std::vector<ServedDatabase> served_databases(const WebSettings& settings,
                                             std::set<std::string>& skipped) {
  std::vector<std::string> names = settings.databases;
  if (settings.all_databases) {
    names = databases_with_pgq(settings.conn, std::chrono::milliseconds(3000), skipped);
    if (names.empty()) throw Failure("no database of the server has PgQ installed");
  }
  std::vector<ServedDatabase> out;
  if (names.empty()) out.push_back({"", settings.conn, nullptr});
  for (const auto& name : names) {
    const bool named_twice = std::any_of(out.begin(), out.end(),
                                         [&](const ServedDatabase& d) { return d.name == name; });
    if (!named_twice) out.push_back({name, with_database(settings.conn, name), nullptr});
  }
  return out;
}

// With --all-databases: looks for the databases again every check period
// (as the ticker does) until `stop`, serving those it finds. A database it
// cannot connect to (`skipped`), or the list failing, is said once until
// it works again.
class DatabaseFinder {
 public:
  DatabaseFinder(const WebSettings& settings, ServedDatabases& dbs, std::set<std::string> skipped)
      : skipped_(std::move(skipped)) {
    if (!settings.all_databases) return;
    const auto period = std::chrono::milliseconds(static_cast<long>(settings.check_period * 1000));
    thread_ = std::thread([this, &settings, &dbs, period] {
      std::unique_lock lock(mutex_);
      while (!changed_.wait_for(lock, period, [&] { return stopping_; })) {
        lock.unlock();
        try {
          dbs.update(settings.conn,
                     databases_with_pgq(settings.conn, std::chrono::milliseconds(3000), skipped_));
          if (failing_) std::fprintf(stderr, "pgqpp web: listing the databases works again\n");
          failing_ = false;
        } catch (const std::exception& e) {
          if (!failing_)
            std::fprintf(stderr, "pgqpp web: cannot list the databases: %s\n", e.what());
          failing_ = true;
        }
        lock.lock();
      }
    });
  }
  ~DatabaseFinder() { stop(); }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      changed_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::set<std::string> skipped_;  // used by thread_ only
  bool failing_ = false;           // likewise
  std::thread thread_;
};

std::string url_of(const ListenAddress& a, int port) {
  const bool v6 = a.host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + a.host + "]" : a.host) + ":" + std::to_string(port) + "/";
}

}  // namespace

int serve(const WebSettings& settings) {
  StopSignals signals;
  std::set<std::string> skipped;
  std::vector<ServedDatabase> first = served_databases(settings, skipped);
  if (first.size() > 1 || !first.front().name.empty()) {
    std::string list;
    for (const auto& d : first) list += (list.empty() ? "" : ", ") + escape_controls(d.name);
    std::printf("pgqpp web: databases %s\n", list.c_str());
  }
  ServedDatabases dbs(std::move(first), {settings.conn, settings.lag_threshold, settings.history});
  DatabaseFinder finder(settings, dbs, std::move(skipped));
  httplib::Server svr;
  // Each open page holds one worker for its stream.
  svr.new_task_queue = [] { return new httplib::ThreadPool(32); };
  svr.set_default_headers(security_headers());
  // Requests carry at most an action's few parameters (and each action's
  // parameters go to the log in one line).
  svr.set_payload_max_length(64 * 1024);
  svr.set_pre_routing_handler([&](const httplib::Request& req, httplib::Response& res) {
    return check_token(settings.token, req, res);
  });
  add_routes(svr, settings, dbs);
  svr.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) send_error(res, res.status, "not found");
  });
  int port = settings.listen.port;
  const bool bound = port == 0 ? (port = svr.bind_to_any_port(settings.listen.host)) > 0
                               : svr.bind_to_port(settings.listen.host, port);
  if (!bound) throw Failure("cannot listen on " + url_of(settings.listen, settings.listen.port));
  std::printf("pgqpp web: serving %s (Ctrl-C stops)\n", url_of(settings.listen, port).c_str());
  std::fflush(stdout);
  std::atomic<bool> ended{false};
  std::thread watcher([&] {
    pollfd p{signals.wake_fd(), POLLIN, 0};
    while (!ended && poll(&p, 1, 200) <= 0) {
    }
    finder.stop();
    dbs.stop();  // first: it ends the streams' waits
    svr.stop();
  });
  const bool listened = svr.listen_after_bind();
  ended = true;
  watcher.join();
  if (signals.last() == 0 && !listened) throw Failure("the HTTP server stopped unexpectedly");
  return exit_ok;
}

}  // namespace pgqpp::cli::web
