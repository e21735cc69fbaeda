// SPDX-License-Identifier: PostgreSQL
// The refusal line of a database whose transaction ids are behind its
// ticks: see txid_horizon.hpp.
#include "txid_horizon.hpp"

namespace pgqpp::ticker {

namespace {

// "epoch 3, xid 1234": how pg_controldata and pg_resetwal speak of a txid.
std::string epoch_xid(std::int64_t txid) {
  return "epoch " + std::to_string(txid >> 32) + ", xid " + std::to_string(txid & 0xffffffff);
}

}  // namespace

std::optional<std::string> txid_horizon_problem(const std::string& database,
                                                std::optional<std::int64_t> tick_xmax,
                                                std::int64_t now_xmax) {
  if (!tick_xmax || *tick_xmax <= now_xmax) return std::nullopt;
  return "database " + database + ": transaction ids are behind the ticks in pgq.tick (restored " +
         "from a cluster further on?): txid " + std::to_string(now_xmax) + " (" +
         epoch_xid(now_xmax) + ") < " + std::to_string(*tick_xmax) + " (" + epoch_xid(*tick_xmax) +
         "), " + std::to_string(*tick_xmax - now_xmax) +
         " behind, so events written now would never reach a consumer; stop the server, run "
         "pg_resetwal -e " +
         std::to_string(epoch_past(*tick_xmax)) +
         " on its data directory and start it again (docs/migration.md)";
}

}  // namespace pgqpp::ticker
