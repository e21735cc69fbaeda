// SPDX-License-Identifier: PostgreSQL
// Reading and comparing the console's token (token.hpp).
#include "token.hpp"

#include <fstream>

#include "common.hpp"

namespace pgqpp::cli::web {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

constexpr std::size_t min_token_length = 16;

}  // namespace

std::string read_token_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Failure("cannot read the token file " + path);
  std::string line;
  std::getline(in, line);
  const std::string token(trim(line));
  if (token.size() < min_token_length)
    throw Failure("the token in " + path + " is shorter than 16 characters (e.g. openssl rand " +
                  "-hex 24 > " + path + ")");
  for (const char c : token)
    if (c <= ' ' || c > '~' || c == ';' || c == ',' || c == '"' || c == '\\')
      throw Failure("the token in " + path +
                    " may hold only printable ASCII without spaces, ; , \" or \\ (it " +
                    "goes into a cookie)");
  return token;
}

bool same_token(std::string_view given, std::string_view expected) {
  // Every byte of `expected` is visited whatever `given` holds.
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    diff |= g ^ static_cast<unsigned char>(expected[i]);
  }
  return diff == 0 && !expected.empty();
}

std::string request_token(std::string_view authorization, std::string_view cookies) {
  constexpr std::string_view bearer = "Bearer ";
  if (authorization.substr(0, bearer.size()) == bearer)
    return std::string(trim(authorization.substr(bearer.size())));
  // Cookie: a=1; pgqpp_token=T; b=2
  while (!cookies.empty()) {
    const auto end = cookies.find(';');
    std::string_view pair = trim(cookies.substr(0, end));
    if (pair.substr(0, token_cookie.size()) == token_cookie &&
        pair.substr(token_cookie.size(), 1) == "=")
      return std::string(pair.substr(token_cookie.size() + 1));
    if (end == std::string_view::npos) break;
    cookies.remove_prefix(end + 1);
  }
  return "";
}

}  // namespace pgqpp::cli::web
