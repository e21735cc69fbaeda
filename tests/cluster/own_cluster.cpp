// SPDX-License-Identifier: PostgreSQL
#include "own_cluster.hpp"

#include <filesystem>

#include "database_test.hpp"
#include "process.hpp"

namespace pgqpp_cluster {

namespace {

// `script` inside the single quotes of bash -c '...'.
std::string quote(const std::string& script) {
  std::string out;
  for (char c : script) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out;
}

// Runs `script` with tests/lib/cluster.sh's functions.
int shell(const std::string& script) {
  return run_command("bash -c '. \"$PGQPP_SOURCE_DIR/tests/lib/cluster.sh\" && " + quote(script) +
                     "'");
}

}  // namespace

OwnCluster::OwnCluster(const std::string& dir, const std::vector<std::string>& options)
    : dir_(dir) {
  namespace fs = std::filesystem;
  fs::remove_all(dir_);
  fs::create_directories(dir_ + "/cluster");
  fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
  std::string opts;
  for (const std::string& o : options) opts += " '" + o + "'";
  started_ = shell("pg_stage '" + dir_ + "/stage' \"$PGQPP_BUILD_DIR\" && port=$(free_port) && " +
                   "pg_start '" + dir_ + "/cluster/data' $port" + opts + " && echo $port >'" +
                   dir_ + "/port'") == 0;
  port = read_file(dir_ + "/port");
  if (!port.empty() && port.back() == '\n') port.pop_back();
}

OwnCluster::~OwnCluster() { shell("pg_stop '" + dir_ + "/cluster/data'"); }

std::string OwnCluster::conninfo(const std::string& dbname) const {
  return "host=127.0.0.1 port=" + port + " user=postgres dbname=" + dbname;
}

}  // namespace pgqpp_cluster
