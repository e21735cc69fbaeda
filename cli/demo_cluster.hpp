// SPDX-License-Identifier: PostgreSQL
// The throwaway PostgreSQL cluster of `pgqpp demo`: a temporary folder, a
// free port, initdb, pg_ctl start with pgqpp preloaded, and on destruction
// pg_ctl stop and the folder removed (also after a failure or an interrupt).
#pragma once

#include <atomic>
#include <string>
#include <vector>

namespace pgqpp::cli {

/// Where the server's programs are and how to reach the running server.
class DemoCluster {
 public:
  /// Creates the temporary folder (under $TMPDIR or /tmp). `bindir` holds
  /// initdb, pg_ctl and postgres. As root, the server runs as the `postgres`
  /// user (initdb refuses root). `interrupt` cuts the waits short.
  DemoCluster(std::string bindir, const std::atomic<bool>& interrupt);
  DemoCluster(const DemoCluster&) = delete;
  DemoCluster& operator=(const DemoCluster&) = delete;
  /// Stops the server (if it was started) and removes the folder.
  ~DemoCluster();

  /// initdb and start; throws Failure with the reason from the tools' logs.
  void start();

  /// The temporary folder.
  const std::string& folder() const noexcept { return folder_; }
  /// The server's TCP port on 127.0.0.1.
  int port() const noexcept { return port_; }
  /// A libpq connection string for the `postgres` database as superuser.
  std::string conninfo() const;
  /// The same without dbname (the ticker's base_connstr).
  std::string base_conninfo() const;

 private:
  void run_tool(const std::string& what, std::vector<std::string> argv, const std::string& log);
  void stop();

  std::string bindir_;
  const std::atomic<bool>& interrupt_;
  std::string folder_;
  std::string cluster_dir_;  // owned by the server's user: data, socket, logs
  std::string run_as_;
  int port_ = 0;
  bool started_ = false;
};

/// The bindir of `pg_config` on the PATH; throws Failure when there is none.
std::string default_bindir();

}  // namespace pgqpp::cli
