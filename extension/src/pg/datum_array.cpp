// SPDX-License-Identifier: PostgreSQL
// See datum_array.hpp.
#include "pg/datum_array.hpp"

#include "pg/bridge.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
}

namespace pgqpp::ext::pg_array {

Datum int4_array(const std::vector<Datum>& values) {
  return pg_call([&] {
    return PointerGetDatum(construct_array(const_cast<Datum*>(values.data()),
                                           static_cast<int>(values.size()), INT4OID, 4, true,
                                           TYPALIGN_INT));
  });
}

Datum int8_array(const std::vector<Datum>& values) {
  return pg_call([&] {
    return PointerGetDatum(construct_array(const_cast<Datum*>(values.data()),
                                           static_cast<int>(values.size()), INT8OID, 8,
                                           FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
  });
}

Datum int8_array_of_ids(const std::vector<std::uint64_t>& values) {
  std::vector<Datum> datums;
  datums.reserve(values.size());
  for (std::uint64_t v : values) datums.push_back(Int64GetDatum(static_cast<int64>(v)));
  return int8_array(datums);
}

}  // namespace pgqpp::ext::pg_array
