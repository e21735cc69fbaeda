// SPDX-License-Identifier: PostgreSQL
// A fixed search_path for SECURITY DEFINER lookups: see search_path.hpp.
#include "pg/search_path.hpp"

#include <exception>

extern "C" {
#include "utils/guc.h"
}

namespace pgqpp::ext {

FixedSearchPath::FixedSearchPath()
    : nest_level_(pg_call([] {
        int level = NewGUCNestLevel();
        (void)set_config_option("search_path", kFixedSearchPath, PGC_USERSET, PGC_S_SESSION,
                                GUC_ACTION_SAVE, true, 0, false);
        return level;
      })),
      exceptions_at_entry_(std::uncaught_exceptions()) {}

FixedSearchPath::~FixedSearchPath() {
  if (std::uncaught_exceptions() != exceptions_at_entry_) return;
  // Restores the saved value; search_path's assign hook only marks the
  // cached path stale, nothing here reports an error.
  AtEOXact_GUC(true, nest_level_);
}

}  // namespace pgqpp::ext
