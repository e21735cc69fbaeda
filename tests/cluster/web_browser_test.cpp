// SPDX-License-Identifier: PostgreSQL
// `pgqpp web` in a real browser (issue 26): headless Chromium loads the page
// against the case's database and the case reads the DOM after the scripts
// ran: the queues and consumers are there, the lagging consumer is flagged,
// the charts are drawn, and a queue name and a payload holding <script> are
// shown as text, not run. Screenshots go into the case's work folder
// (web.png, web-queue.png). Chromium is driven by render_page.py.
#include <cstdio>
#include <regex>
#include <thread>

#include "web_fixture.hpp"

namespace pgqpp_cluster {
namespace {

using namespace std::chrono_literals;

const std::string evil_queue = "<script>alert(1)</script>";

using WebBrowser = WebTest;

// The DOM after the page's scripts ran for 4 s in headless Chromium
// (render_page.py), and a screenshot of it as `png`; "" when it failed.
std::string rendered(const std::string& url, const std::string& png, const std::string& work) {
  const std::string dom = work + "/dom.html";
  std::remove(dom.c_str());
  run_command("timeout 90 python3 " + cluster_env("PGQPP_SOURCE_DIR") +
              "/tests/cluster/render_page.py " + shell_quote(url) + " " + shell_quote(dom) + " " +
              shell_quote(png) + " 4 2>" + shell_quote(work + "/render.err"));
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

}  // namespace
}  // namespace pgqpp_cluster
