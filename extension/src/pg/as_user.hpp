// SPDX-License-Identifier: PostgreSQL
// Running as another user for a scope: the one place that pairs
// GetUserIdAndSecContext with SetUserIdAndSecContext.
#pragma once

#include "pg/postgres.hpp"

extern "C" {
#include "miscadmin.h"
}

namespace pgqpp::ext {

/// Runs as `user` (with `sec_flags` added to the security context, e.g.
/// SECURITY_LOCAL_USERID_CHANGE) for its lifetime. The destructor restores
/// the saved user and context also when an exception (a PgError from
/// pg_call, or an Error) passes through, so code that catches it further up
/// runs as before. Neither call can raise an error. Like every object with
/// a destructor, it must not live where a PostgreSQL error may longjmp over
/// it: call PostgreSQL through pg_call while it is alive (a longjmp would
/// skip it; abort processing would then restore the user id).
class AsUser {
 public:
  explicit AsUser(Oid user, int sec_flags = 0) {
    GetUserIdAndSecContext(&saved_user_, &saved_context_);
    SetUserIdAndSecContext(user, saved_context_ | sec_flags);
  }
  ~AsUser() { SetUserIdAndSecContext(saved_user_, saved_context_); }
  AsUser(const AsUser&) = delete;
  AsUser& operator=(const AsUser&) = delete;

 private:
  Oid saved_user_ = InvalidOid;
  int saved_context_ = 0;
};

}  // namespace pgqpp::ext
