// SPDX-License-Identifier: PostgreSQL
// A fixed search_path for the lookups a SECURITY DEFINER function in C++
// makes while it runs as its owner.
//
// Such functions run SQL with the caller's search_path, which the caller
// chooses: an operator, function or type in a schema placed before
// pg_catalog (or a temporary table) would then be used in place of
// PostgreSQL's own, with the owner's rights. The functions whose
// declarations carry `SET search_path = pg_catalog, pgq, pg_temp` are safe;
// the insert functions do without that clause (it costs a GUC save and
// restore on every call of the hot path) and instead resolve everything by
// OID, running their one name lookup (a queue's metadata, on a cache miss)
// inside a FixedSearchPath.
#pragma once

#include "pg/bridge.hpp"

namespace pgqpp::ext {

/// The search_path of every SECURITY DEFINER function of schema pgq.
inline constexpr const char* kFixedSearchPath = "pg_catalog, pgq, pg_temp";

/// Sets search_path to kFixedSearchPath for its lifetime, as a function's
/// SET clause does (a GUC nest level, restored on destruction). As with
/// spi::Session, the destructor restores on normal exit only: an exception
/// becomes an error that aborts the (sub)transaction, and PostgreSQL's abort
/// processing pops the nest level.
class FixedSearchPath {
 public:
  FixedSearchPath();
  ~FixedSearchPath();
  FixedSearchPath(const FixedSearchPath&) = delete;
  FixedSearchPath& operator=(const FixedSearchPath&) = delete;

 private:
  int nest_level_;
  int exceptions_at_entry_;
};

}  // namespace pgqpp::ext
