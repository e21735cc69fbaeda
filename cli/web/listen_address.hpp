// SPDX-License-Identifier: PostgreSQL
// `pgqpp web --listen HOST:PORT`: the address the console binds, and whether
// it is reachable from other hosts (then a token is required).
#pragma once

#include <string>

namespace pgqpp::cli::web {

/// Where the console listens.
struct ListenAddress {
  std::string host;  ///< an IPv4 or IPv6 address or a host name, without brackets
  int port = 0;
};

/// Parses "HOST:PORT", "[V6]:PORT" or ":PORT" (loopback). Throws UsageError
/// naming the mistake.
ListenAddress parse_listen(const std::string& text);

/// True when `host` is a loopback address (127.0.0.0/8, ::1) or
/// "localhost": only this machine can connect.
bool is_loopback(const std::string& host);

/// True when an HTTP Host header ("127.0.0.1:8080", "[::1]:8080",
/// "localhost") names a loopback address. A console without a token
/// answers only such requests: a page of another site that made its own
/// name resolve to 127.0.0.1 (DNS rebinding) sends its own name.
bool is_loopback_host_header(const std::string& host_header);

}  // namespace pgqpp::cli::web
