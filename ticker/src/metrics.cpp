// SPDX-License-Identifier: PostgreSQL
// The daemon's Prometheus endpoint: see metrics.hpp.
#include "metrics.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace pgqpp::ticker {

MetricsServer::~MetricsServer() {
  if (fd_ >= 0) close(fd_);
}

bool MetricsServer::listen(const std::string& address, std::string* error) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos) {
    *error = "--metrics wants HOST:PORT, e.g. 127.0.0.1:9187, not '" + address + "'";
    return false;
  }
  std::string host = address.substr(0, colon);
  int port = std::atoi(address.c_str() + colon + 1);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  if (port <= 0 || port > 65535 || inet_pton(AF_INET, host.c_str(), &sa.sin_addr) != 1) {
    *error = "--metrics: '" + address + "' is not an IPv4 HOST:PORT";
    return false;
  }
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int on = 1;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
      ::listen(fd_, 16) != 0) {
    *error = "--metrics: cannot listen on " + address + ": " + std::strerror(errno);
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    return false;
  }
  return true;
}

void MetricsServer::serve_one(const std::function<std::string()>& render) {
  int client = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (client < 0) return;
  timeval tv{0, 200000};
  setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  char buf[2048];
  ssize_t n = recv(client, buf, sizeof buf - 1, 0);
  std::string request(buf, n > 0 ? static_cast<size_t>(n) : 0);
  bool metrics = request.rfind("GET /metrics ", 0) == 0 || request.rfind("GET / ", 0) == 0;
  std::string body = metrics ? render() : "not found: try /metrics\n";
  std::string response = std::string("HTTP/1.0 ") + (metrics ? "200 OK" : "404 Not Found") +
                         "\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  size_t sent = 0;
  while (sent < response.size()) {
    ssize_t w = send(client, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
    if (w <= 0) break;
    sent += static_cast<size_t>(w);
  }
  close(client);
}

std::string label_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string sample_value(double v) {
  char buf[64];
  if (std::nearbyint(v) == v && std::fabs(v) < 9e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

namespace {

struct MetricInfo {
  const char* name;
  const char* type;
  const char* help;
};

// Every metric the daemon exports, named and typed by Prometheus's
// conventions (TickerMetrics, tests/cluster/ticker_metrics_test.cpp, runs
// promtool over them).
const MetricInfo kMetrics[] = {
    {"pgqpp_ticker_databases", "gauge", "databases with PgQ the daemon serves"},
    {"pgqpp_ticker_discovery_errors_total", "counter", "failed listings of the databases"},
    {"pgqpp_ticker_connection_up", "gauge",
     "1 while the daemon's connection to the database is up"},
    {"pgqpp_ticker_wakeup_active", "gauge",
     "1 when the database wakes the ticker on commit; 0: periodic ticking"},
    {"pgqpp_ticker_errors_total", "counter", "failed connections and statements"},
    {"pgqpp_ticker_ticks_total", "counter",
     "ticks made, by path (periodic pgq.ticker() or woken on commit)"},
    {"pgqpp_ticker_retries_moved_total", "counter", "retry events moved back into their queues"},
    {"pgqpp_ticker_maint_operations_total", "counter", "maintenance operations run"},
    {"pgqpp_ticker_last_refresh_timestamp_seconds", "gauge",
     "Unix time of the last successful refresh of the database's queue and consumer figures"},
    {"pgqpp_queue_last_tick_age_seconds", "gauge", "age of the queue's newest tick"},
    {"pgqpp_queue_last_tick_id", "gauge", "the queue's newest tick id"},
    {"pgqpp_queue_last_event_id", "gauge",
     "the queue's newest event id (its sequence; pgq.force_tick skips ids, so not an event "
     "count)"},
    {"pgqpp_queue_events_since_tick", "gauge", "events inserted since the newest tick"},
    {"pgqpp_queue_events_per_second", "gauge", "event rate over the last ticks"},
    {"pgqpp_queue_delayed_pending", "gauge",
     "delayed events stored and not delivered yet (pgqpp 1.3 and later)"},
    {"pgqpp_queue_delayed_next_due_seconds", "gauge",
     "seconds until the queue's earliest waiting delayed event is due (negative: overdue); "
     "absent when none waits"},
    {"pgqpp_consumer_lag_seconds", "gauge", "age of the tick the consumer has reached"},
    {"pgqpp_consumer_last_seen_seconds", "gauge", "time since the consumer's last batch call"},
    {"pgqpp_consumer_pending_events", "gauge",
     "events between the consumer's position and the newest tick"},
    {"pgqpp_consumer_dead_letters", "gauge",
     "events in the consumer's dead letters (pgqpp 1.2 and later)"},
    {"pgqpp_consumer_max_batch_events", "gauge",
     "the consumer's bounded batches' limit, max_batch_events (only consumers that have one)"},
};

}  // namespace

std::string render_metrics(const MetricLines& lines) {
  std::string out;
  for (const auto& [metric, samples] : lines) {
    for (const auto& info : kMetrics)
      if (metric == info.name)
        out += "# HELP " + metric + " " + info.help + "\n# TYPE " + metric + " " + info.type + "\n";
    for (const auto& line : samples) out += line + "\n";
  }
  return out;
}

}  // namespace pgqpp::ticker
