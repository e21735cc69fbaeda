// SPDX-License-Identifier: PostgreSQL
// `pgqpp web`: a live console in the browser (cli/web/, docs/web.md):
// every queue and consumer, charts of lag and throughput, a page per queue,
// and with --allow-actions (and a token) a few operator actions.
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "status_model.hpp"
#include "web/listen_address.hpp"
#include "web/server.hpp"
#include "web/token.hpp"

namespace pgqpp::cli {

namespace {

struct WebArgs {
  web::WebSettings settings;
  std::string listen = "127.0.0.1:8080";
  std::string token_file;
  double history_minutes = 10;
};

int run_web(WebArgs& args) {
  auto& s = args.settings;
  s.listen = web::parse_listen(args.listen);
  if (s.all_databases && !s.databases.empty())
    throw UsageError("give --all-databases or --database NAME, not both");
  if (!web::is_loopback(s.listen.host) && args.token_file.empty())
    throw UsageError("--listen " + args.listen +
                     " is reachable from other hosts: give --token-file too");
  if (s.allow_actions && args.token_file.empty())
    throw UsageError("--allow-actions lets the page change the database: give --token-file too");
  if (!args.token_file.empty()) s.token = web::read_token_file(args.token_file);
  s.history = static_cast<std::size_t>(args.history_minutes * 60);
  return web::serve(s);
}

}  // namespace

/// `pgqpp web`: serves the console page and its JSON API until SIGINT or
/// SIGTERM, on loopback unless told otherwise (then only with a token).
std::function<int()> setup_web(CLI::App& app) {
  auto args = std::make_shared<WebArgs>();
  add_connect_options(app, args->settings.conn);
  app.add_flag("--all-databases", args->settings.all_databases,
               "serve every database of the server that has PgQ, as the ticker finds "
               "them (listed through --dsn, again every --check-period)");
  app.add_option("--database", args->settings.databases,
                 "serve database NAME (repeat for more; --dsn's other settings); the first is "
                 "the default")
      ->type_name("NAME");
  app.add_option("--check-period", args->settings.check_period,
                 "with --all-databases: look for databases again every SECONDS (default 60)")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.1, 86400.0).description(""));
  app.add_option("--listen", args->listen,
                 "HOST:PORT to serve on (default 127.0.0.1:8080; port 0: any free port)")
      ->type_name("HOST:PORT");
  app.add_option("--token-file", args->token_file,
                 "require the token in FILE on every request (needed off loopback)")
      ->type_name("FILE");
  app.add_flag("--allow-actions", args->settings.allow_actions,
               "let the page pause/resume tickers, move due retries, replay or purge dead "
               "letters, unregister consumers (needs --token-file)");
  app.add_option("--lag-threshold", args->settings.lag_threshold,
                 "a consumer lags when its lag exceeds SECONDS while it is behind (default 60)")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.0, 1e9).description(""));
  app.add_option("--history", args->history_minutes,
                 "keep MINUTES of one-second samples for the charts (default 10)")
      ->type_name("MINUTES")
      ->check(CLI::Range(1.0, 1440.0).description(""));
  app.footer(
      "Examples:\n"
      "  pgqpp web --dsn 'dbname=app'            then open http://127.0.0.1:8080/\n"
      "  openssl rand -hex 24 > token && chmod 600 token\n"
      "  pgqpp web --listen 0.0.0.0:8080 --token-file token\n"
      "                                         then open http://HOST:8080/?token=TOKEN once\n"
      "  pgqpp web --allow-actions --token-file token\n"
      "  pgqpp web --all-databases --dsn 'host=db user=pgq_admin dbname=postgres'\n"
      "  pgqpp web --database app --database billing\n\n"
      "The API: GET /api/status (status --json's shape), /api/series, /api/stream\n"
      "(server-sent events), /api/queue/NAME, /api/actions, /api/databases; with\n"
      "--allow-actions POST /api/action/NAME (JSON body). Serving several databases,\n"
      "?db=NAME (an action's body: \"db\") picks one; without it, the default (the\n"
      "first). With a token every request needs\n"
      "'Authorization: Bearer TOKEN' or the cookie /?token=TOKEN sets. See docs/web.md.");
  return [args] { return run_guarded("web", [&] { return run_web(*args); }); };
}

}  // namespace pgqpp::cli
