// SPDX-License-Identifier: PostgreSQL
#include "pgqpp/error.hpp"

namespace pgqpp {

error::error(Details details) : std::runtime_error(details.message), details_(std::move(details)) {}

}  // namespace pgqpp
