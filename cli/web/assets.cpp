// SPDX-License-Identifier: PostgreSQL
// The table of embedded files (assets.hpp); their bytes are generated
// sources (cli/CMakeLists.txt).
#include "assets.hpp"

#include <array>

namespace pgqpp::cli::web {

extern const char web_index_html[];
extern const char web_app_js[];
extern const char web_style_css[];

const Asset* find_asset(std::string_view path) {
  static const std::array<Asset, 3> assets = {{
      {"/", "text/html; charset=utf-8", web_index_html},
      {"/app.js", "text/javascript; charset=utf-8", web_app_js},
      {"/style.css", "text/css; charset=utf-8", web_style_css},
  }};
  for (const auto& a : assets)
    if (a.path == path) return &a;
  return nullptr;
}

}  // namespace pgqpp::cli::web
