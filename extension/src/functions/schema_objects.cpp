// SPDX-License-Identifier: PostgreSQL
// The cached answers of schema_has: see schema_objects.hpp.
#include "functions/schema_objects.hpp"

#include "pg/bridge.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace pgqpp::ext {
namespace {

// The one place that knows which version added which table: schema_has
// looks for the table in schema pgq.
struct Marker {
  SchemaObject object;
  const char* table;
  const char* since;  // the extension version that added it, for readers
};
constexpr Marker kMarkers[] = {
    {SchemaObject::queue_config, "queue_config", "1.2"},
    {SchemaObject::consumer_config, "consumer_config", "1.2"},
    {SchemaObject::delayed_event, "delayed_event", "1.2"},
    {SchemaObject::delayed_mark, "delayed_mark", "1.3"},
    {SchemaObject::subscription_cell, "subscription_cell", "1.4"},
};
constexpr int kCount = sizeof(kMarkers) / sizeof(kMarkers[0]);

// Per object: not looked up since the last catalog change, or the answer.
// kUnknown is 0, so that an object added to kMarkers starts unknown.
enum Known : int { kUnknown = 0, kMissing, kPresent };
Known known[kCount] = {};

void forget(Datum, int, uint32) {
  for (Known& k : known) k = kUnknown;
}

}  // namespace

void schema_objects_init() {
  CacheRegisterSyscacheCallback(RELNAMENSP, forget, 0);
  CacheRegisterSyscacheCallback(NAMESPACENAME, forget, 0);
}

bool schema_has(SchemaObject object) {
  int i = static_cast<int>(object);
  if (known[i] == kUnknown) {
    bool present = pg_call([&] {
      Oid ns = get_namespace_oid("pgq", true);
      return OidIsValid(ns) && OidIsValid(get_relname_relid(kMarkers[i].table, ns));
    });
    known[i] = present ? kPresent : kMissing;
  }
  return known[i] == kPresent;
}

}  // namespace pgqpp::ext
