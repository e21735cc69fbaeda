// SPDX-License-Identifier: PostgreSQL
// HOST:PORT parsing and the loopback test of listen_address.hpp.
#include "listen_address.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "common.hpp"

namespace pgqpp::cli::web {

ListenAddress parse_listen(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) throw UsageError("--listen '" + text + "' is not HOST:PORT");
  ListenAddress a;
  a.host = text.substr(0, colon);
  if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']')
    a.host = a.host.substr(1, a.host.size() - 2);
  else if (a.host.find(':') != std::string::npos)
    throw UsageError("--listen '" + text + "': write an IPv6 address in brackets, [::1]:8080");
  if (a.host.empty()) a.host = "127.0.0.1";
  const std::string port = text.substr(colon + 1);
  std::size_t used = 0;
  try {
    a.port = std::stoi(port, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (port.empty() || used != port.size() || a.port < 0 || a.port > 65535)
    throw UsageError("--listen '" + text + "': the port must be a number from 0 to 65535");
  return a;
}

bool is_loopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1)
    return std::memcmp(&v6, &in6addr_loopback, sizeof v6) == 0;
  return false;
}

bool is_loopback_host_header(const std::string& host_header) {
  std::string host = host_header;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string::npos) return false;
    host = host.substr(1, close - 1);
  } else if (const auto colon = host.rfind(':'); colon != std::string::npos) {
    host = host.substr(0, colon);
  }
  return is_loopback(host);
}

}  // namespace pgqpp::cli::web
