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

// The server options as pg_start / pg_run arguments.
std::string arguments(const std::vector<std::string>& options) {
  std::string out;
  for (const std::string& o : options) out += " '" + o + "'";
  return out;
}

}  // namespace

OwnCluster::OwnCluster(const std::string& dir, const std::vector<std::string>& options)
    : dir_(dir), options_(options) {
  start("pg_start '" + dir_ + "/cluster/data' $port" + arguments(options_));
}

OwnCluster::OwnCluster(const std::string& dir, const OwnCluster& primary)
    : dir_(dir), options_(primary.options_) {
  start("pg_base_backup '" + dir_ + "/cluster/data' " + primary.port + " && pg_run '" + dir_ +
        "/cluster/data' $port" + arguments(options_));
}

void OwnCluster::start(const std::string& start) {
  namespace fs = std::filesystem;
  fs::remove_all(dir_);
  fs::create_directories(dir_ + "/cluster");
  fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
  started_ = shell("pg_stage '" + dir_ + "/stage' \"$PGQPP_BUILD_DIR\" && port=$(free_port) && " +
                   start + " && echo $port >'" + dir_ + "/port'") == 0;
  port = read_file(dir_ + "/port");
  if (!port.empty() && port.back() == '\n') port.pop_back();
}

OwnCluster::~OwnCluster() { shell("pg_stop '" + dir_ + "/cluster/data'"); }

std::string OwnCluster::conninfo(const std::string& dbname) const {
  return "host=127.0.0.1 port=" + port + " user=postgres dbname=" + dbname;
}

bool OwnCluster::has_program(const std::string& name) {
  return shell("[ -x \"$PG_BINDIR/" + name + "\" ]") == 0;
}

bool OwnCluster::crash_restart() {
  return shell("pg_crash_restart '" + dir_ + "/cluster/data' 0") == 0;
}

}  // namespace pgqpp_cluster
