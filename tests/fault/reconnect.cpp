// SPDX-License-Identifier: PostgreSQL
#include "reconnect.hpp"

#include <thread>

#include <pgqpp/error.hpp>

namespace pgqpp::fault {

Connection connect_with_retry(const std::string& conninfo,
                              std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    try {
      return Connection(conninfo, std::chrono::seconds(5));
    } catch (const connection_lost&) {
      if (std::chrono::steady_clock::now() >= deadline) throw;
    } catch (const timeout_error&) {
      if (std::chrono::steady_clock::now() >= deadline) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace pgqpp::fault
