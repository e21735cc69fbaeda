// SPDX-License-Identifier: PostgreSQL
// The daemon's Prometheus endpoint (--metrics HOST:PORT, loopback unless told
// otherwise): a tiny HTTP responder driven by the daemon's event loop. Each
// scrape is answered at once from figures the daemon already holds; it never
// waits for a database.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace pgqpp::ticker {

class MetricsServer {
 public:
  MetricsServer() = default;
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  /// Listens on "HOST:PORT"; false with `error` set if it cannot.
  bool listen(const std::string& address, std::string* error);

  /// The listening socket (-1 when not listening), for the event loop.
  int socket() const { return fd_; }

  /// Answers one waiting client with render() for GET /metrics (404
  /// otherwise). Reads and writes with short timeouts: a stuck client costs
  /// at most a fraction of a second.
  void serve_one(const std::function<std::string()>& render);

 private:
  int fd_ = -1;
};

/// Escapes a Prometheus label value.
std::string label_value(const std::string& v);

/// A sample's value in full (default stream formatting would cut a Unix
/// timestamp to 1.73344e+09).
std::string sample_value(double v);

/// Metric name -> sample lines, gathered from every database.
using MetricLines = std::map<std::string, std::vector<std::string>>;

/// The exposition text: each metric's HELP and TYPE (from the one table of
/// every metric the daemon exports), then its samples.
std::string render_metrics(const MetricLines& lines);

}  // namespace pgqpp::ticker
