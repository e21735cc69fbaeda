// SPDX-License-Identifier: PostgreSQL
// The console's access token (`pgqpp web --token-file F`): read from a file
// so it appears on no command line, compared in constant time.
#pragma once

#include <string>
#include <string_view>

namespace pgqpp::cli::web {

/// The token in file `path`: its first line, surrounding spaces removed.
/// Throws Failure when the file cannot be read or holds no token, or the
/// token is shorter than 16 characters (too easy to guess) or holds a
/// character a cookie cannot carry (spaces, ; , " \).
std::string read_token_file(const std::string& path);

/// True when `given` equals `expected`. The time taken depends only on the
/// length of `expected`, never on where the two first differ.
bool same_token(std::string_view given, std::string_view expected);

/// The token a request carries: from "Authorization: Bearer T" if present,
/// else from the cookie pgqpp_token; "" when neither.
std::string request_token(std::string_view authorization, std::string_view cookies);

/// The name of the cookie set by `GET /?token=T`.
inline constexpr std::string_view token_cookie = "pgqpp_token";

}  // namespace pgqpp::cli::web
