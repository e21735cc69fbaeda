// SPDX-License-Identifier: PostgreSQL
// `pgqpp web` in a real browser (issue 26): headless Chromium loads the page
// against the case's database and the case reads the DOM after the scripts
// ran: the queues and consumers are there, the lagging consumer is flagged,
// the charts are drawn, and a queue name and a payload holding <script> are
// shown as text, not run. Screenshots go into the case's work folder
// (web.png, web-queue.png). With --allow-actions and the token, a queue is
// paused from the page: its button, the page's confirmation box, then the
// paused state rendered and in pgq.queue (web-confirm.png, web-paused.png).
// Serving two databases, the page's selector switches to the second's
// queues (web-database.png).
// Chromium is driven by render_page.py.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "web_fixture.hpp"

namespace pgqpp_cluster {
namespace {

using namespace std::chrono_literals;

const std::string evil_queue = "<script>alert(1)</script>";

using WebBrowser = WebTest;

// The DOM after the page's scripts ran for 4 s in headless Chromium
// (render_page.py), after its `steps` (--step JS, --shot PNG), and a
// screenshot of it as `png`; "" when it failed.
std::string rendered(const std::string& url, const std::string& png, const std::string& work,
                     const std::vector<std::string>& steps = {}) {
  const std::string dom = work + "/dom.html";
  std::remove(dom.c_str());
  std::string extra;
  for (const auto& s : steps) extra += " " + shell_quote(s);
  run_command("timeout 90 python3 " + cluster_env("PGQPP_SOURCE_DIR") +
              "/tests/cluster/render_page.py " + shell_quote(url) + " " + shell_quote(dom) + " " +
              shell_quote(png) + " 4" + extra + " 2>" + shell_quote(work + "/render.err"));
  return read_file(dom) + read_file(work + "/render.err");
}

TEST_F(WebBrowser, RendersTheDatabase) {
  ASSERT_EQ(run_command("command -v chromium >/dev/null"), 0)
      << "chromium not found: install Debian's chromium package (scripts/install-deps.sh)";
  db->exec("select pgq.create_queue('orders')");
  db->exec("select pgq.register_consumer('orders', 'billing')");
  db->exec("select pgq.register_consumer('orders', 'shipping')");
  db->exec("select pgq.create_queue($1)", {evil_queue});
  db->exec("select pgq.insert_event($1, 'html', '<script>document.title=\"pwned\"</script>')",
           {evil_queue});
  db->exec("select pgq.insert_event('orders', 'order', '{\"id\": 1}')");
  tick("orders");
  tick(evil_queue);
  // shipping catches up; billing stays at its registration tick and lags.
  pgqpp::Connection c(conninfo(dbname));
  catch_up(c, "orders", "shipping");
  std::this_thread::sleep_for(600ms);
  tick("orders");
  catch_up(c, "orders", "shipping");
  start_web({"--lag-threshold", "0.5"});
  const std::string base = "http://127.0.0.1:" + std::to_string(port) + "/";
  // A few samples for the charts.
  std::this_thread::sleep_for(3s);

  const std::string dom = rendered(base, work + "/web.png", work);
  const std::string context = "--- DOM:\n" + dom + "\n--- pgqpp web:\n" + web_output();
  ASSERT_NE(dom.find("id=\"queues\""), std::string::npos) << context;
  EXPECT_NE(dom.find("<span id=\"live\" class=\"pill live\">live</span>"), std::string::npos)
      << context;
  EXPECT_NE(dom.find("id=\"database\" class=\"muted\">database " + dbname + "<"), std::string::npos)
      << context;
  EXPECT_NE(
      dom.find("<tr data-queue=\"orders\"><td class=\"name\"><a href=\"#queue=orders\">orders</a>"),
      std::string::npos)
      << context;
  // The lagging consumer is flagged, the other is not.
  EXPECT_TRUE(std::regex_search(
      dom, std::regex("<tr class=\"lagging\" data-queue=\"orders\" data-consumer=\"billing\">"
                      "[^\\n]*?<td class=\"state-bad\">LAGGING</td></tr>")))
      << context;
  EXPECT_TRUE(std::regex_search(
      dom, std::regex("<tr class=\"\" data-queue=\"orders\" data-consumer=\"shipping\">"
                      "[^\\n]*?<td class=\"state-ok\">ok</td></tr>")))
      << context;
  EXPECT_NE(dom.find("<li>consumer billing on queue orders: lag"), std::string::npos) << context;
  // Charts: one per queue and consumer, each with a line drawn.
  EXPECT_NE(dom.find("data-chart=\"orders / billing · lag\""), std::string::npos) << context;
  EXPECT_TRUE(std::regex_search(
      dom, std::regex("<polyline class=\"line\" points=\"[0-9.]+,[0-9.]+ [0-9.]+,[0-9.]+")))
      << context;
  // The queue named with markup is text: escaped in the DOM, no script element.
  EXPECT_NE(dom.find(">&lt;script&gt;alert(1)&lt;/script&gt;</a>"), std::string::npos) << context;
  EXPECT_EQ(dom.find("<script>alert(1)"), std::string::npos) << context;
  EXPECT_EQ(dom.find("<title>pwned"), std::string::npos) << context;
  // One database: no selector.
  EXPECT_NE(dom.find("<select id=\"db-select\" aria-label=\"database\" hidden=\"\">"),
            std::string::npos)
      << context;
  // Read-only: no action buttons.
  EXPECT_EQ(dom.find("data-action="), std::string::npos) << context;
  EXPECT_NE(dom.find("<span id=\"actions-note\">read-only console</span>"), std::string::npos)
      << context;

  // The queue page of that queue: its payload shown as text.
  const std::string qdom =
      rendered(base + "#queue=%3Cscript%3Ealert(1)%3C%2Fscript%3E", work + "/web-queue.png", work);
  const std::string qcontext = "--- DOM:\n" + qdom;
  EXPECT_NE(qdom.find("<span id=\"queue-name\">&lt;script&gt;alert(1)&lt;/script&gt;</span>"),
            std::string::npos)
      << qcontext;
  EXPECT_NE(
      qdom.find("<td class=\"payload\">&lt;script&gt;document.title=\"pwned\"&lt;/script&gt;</td>"),
      std::string::npos)
      << qcontext;
  EXPECT_EQ(qdom.find("<script>document.title"), std::string::npos) << qcontext;
  EXPECT_EQ(qdom.find("<title>pwned"), std::string::npos) << qcontext;
  EXPECT_EQ(run_command("test -s " + shell_quote(work + "/web.png")), 0) << "no screenshot";
}

TEST_F(WebBrowser, SelectsAnotherDatabase) {
  ASSERT_EQ(run_command("command -v chromium >/dev/null"), 0)
      << "chromium not found: install Debian's chromium package (scripts/install-deps.sh)";
  db->exec("select pgq.create_queue('orders')");
  const std::string second = create_database("two");
  pgqpp::Connection two(conninfo(second));
  two.exec("create extension pgqpp");
  two.exec("select pgq.create_queue('invoices')");
  two.exec("select pgq.register_consumer('invoices', 'ledger')");
  start_web({"--database", dbname, "--database", second});
  const std::string select =
      "(() => { const s = document.getElementById('db-select');"
      "  if (s.hidden) throw new Error('no database selector');"
      "  s.value = " +
      nlohmann::json(second).dump() +
      ";"
      "  s.dispatchEvent(new Event('change')); })()";
  const std::string dom = rendered("http://127.0.0.1:" + std::to_string(port) + "/",
                                   work + "/web-database.png", work, {"--step", select});
  const std::string context = "--- DOM:\n" + dom + "\n--- pgqpp web:\n" + web_output();
  EXPECT_NE(dom.find("<option value=\"" + second + "\">" + second + "</option>"), std::string::npos)
      << context;
  EXPECT_NE(dom.find("id=\"database\" class=\"muted\">database " + second + "<"), std::string::npos)
      << context;
  EXPECT_NE(dom.find("<tr data-queue=\"invoices\"><td class=\"name\"><a href=\"#queue=invoices\">"
                     "invoices</a>"),
            std::string::npos)
      << context;
  EXPECT_NE(dom.find("data-chart=\"invoices / ledger · lag\""), std::string::npos) << context;
  EXPECT_EQ(dom.find("data-queue=\"orders\""), std::string::npos) << context;
  EXPECT_NE(dom.find("<span id=\"live\" class=\"pill live\">live</span>"), std::string::npos)
      << context;
}

TEST_F(WebBrowser, PausesAQueueWithTheToken) {
  ASSERT_EQ(run_command("command -v chromium >/dev/null"), 0)
      << "chromium not found: install Debian's chromium package (scripts/install-deps.sh)";
  db->exec("select pgq.create_queue('orders'), pgq.create_queue('invoices')");
  db->exec("select pgq.register_consumer('orders', 'billing')");
  tick("orders");
  const std::string token = "0123456789abcdef0123456789abcdef";
  std::ofstream(work + "/token") << token << "\n";
  start_web({"--allow-actions", "--token-file", work + "/token"});
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/?token=" + token;
  // Click pause; the queue must not be paused before the confirmation.
  const std::string click =
      "document.querySelector('button[data-action=\"pause\"][data-queue=\"orders\"]').click()";
  const std::string confirm =
      "fetch('/api/queue/orders').then(r => r.json()).then(d => {"
      "  if (d.status.queues[0].ticker_paused) throw new Error('paused before the confirmation');"
      "  if (document.getElementById('confirm').hidden) throw new Error('no confirmation shown');"
      "  document.getElementById('confirm-yes').click(); })";
  const std::string dom =
      rendered(url, work + "/web-paused.png", work,
               {"--step", click, "--shot", work + "/web-confirm.png", "--step", confirm});
  const std::string context = "--- DOM:\n" + dom + "\n--- pgqpp web:\n" + web_output();
  EXPECT_NE(dom.find("<div id=\"action-result\" role=\"status\" class=\"done\">paused the ticker "
                     "of queue orders</div>"),
            std::string::npos)
      << context;
  EXPECT_TRUE(std::regex_search(
      dom, std::regex("<tr data-queue=\"orders\">[^\\n]*?<td class=\"state-warn\">paused</td>"
                      "[^\\n]*?<button type=\"button\" class=\"act\" data-action=\"resume\" "
                      "data-queue=\"orders\">resume</button>")))
      << context;
  EXPECT_TRUE(std::regex_search(
      dom, std::regex("<tr data-queue=\"invoices\">[^\\n]*?data-action=\"pause\"")))
      << context;
  EXPECT_NE(dom.find("<span id=\"actions-note\">actions on</span>"), std::string::npos) << context;
  EXPECT_EQ(q("select queue_ticker_paused from pgq.queue where queue_name = 'orders'"), "t");
  EXPECT_EQ(q("select queue_ticker_paused from pgq.queue where queue_name = 'invoices'"), "f");
  EXPECT_NE(web_output().find("pgqpp web: action pause {\"queue\":\"orders\"} from 127.0.0.1: 200"),
            std::string::npos)
      << web_output();
  EXPECT_EQ(run_command("test -s " + shell_quote(work + "/web-confirm.png")), 0) << "no screenshot";
  EXPECT_EQ(run_command("test -s " + shell_quote(work + "/web-paused.png")), 0) << "no screenshot";
}

}  // namespace
}  // namespace pgqpp_cluster
