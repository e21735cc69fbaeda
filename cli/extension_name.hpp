// SPDX-License-Identifier: PostgreSQL
//
// The name this build installs the extension under: `pgqpp` by default,
// `pgq` for a build made with EXTENSION_NAME=pgq (for pgq_node and
// londiste). CMake passes it in; `install` and `demo` create this name.
#pragma once

#ifndef PGQPP_EXTENSION_NAME
#error "PGQPP_EXTENSION_NAME comes from cli/CMakeLists.txt"
#endif

namespace pgqpp::cli {

inline constexpr const char* extension_name = PGQPP_EXTENSION_NAME;

/// The start of every pgqpp control file's comment: CREATE EXTENSION
/// stores it as the extension's comment, which tells pgqpp named pgq apart
/// from PgQ 3.5 (both are extension `pgq`).
inline constexpr const char* extension_comment_prefix = "pgqpp:";

}  // namespace pgqpp::cli
