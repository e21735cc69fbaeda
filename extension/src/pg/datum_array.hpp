// SPDX-License-Identifier: PostgreSQL
// One-dimensional int4[] and int8[] arrays built from C++ vectors, for SPI
// plans that take a set of ids as one array parameter.
#pragma once

#include <cstdint>
#include <vector>

#include "pg/postgres.hpp"

namespace pgqpp::ext::pg_array {

/// An int4[] of `values` (each an Int32GetDatum) in the current memory
/// context; raises through pg_call, so it must be called from a frame that
/// may throw a PgError.
Datum int4_array(const std::vector<Datum>& values);

/// An int8[] of `values` (each an Int64GetDatum) in the current memory
/// context; raises through pg_call like int4_array.
Datum int8_array(const std::vector<Datum>& values);

/// An int8[] of plain 64-bit ids (txids; converted to Datums first: a
/// Datum is itself a 64-bit integer type, hence the other name).
Datum int8_array_of_ids(const std::vector<std::uint64_t>& values);

}  // namespace pgqpp::ext::pg_array
