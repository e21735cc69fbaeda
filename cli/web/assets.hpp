// SPDX-License-Identifier: PostgreSQL
// The console's page: cli/web/page/index.html, app.js and style.css,
// compiled into the binary at build time (cmake/EmbedText.cmake), so that
// `pgqpp web` needs no file beside it and the page fetches nothing from
// elsewhere.
#pragma once

#include <string_view>

namespace pgqpp::cli::web {

/// One embedded file.
struct Asset {
  std::string_view path;          ///< its URL path ("/" for the page)
  std::string_view content_type;  ///< with charset
  std::string_view body;
};

/// The asset served at `path`, nullptr when there is none.
const Asset* find_asset(std::string_view path);

}  // namespace pgqpp::cli::web
