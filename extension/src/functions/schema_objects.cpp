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

// The one place that knows which version added which relation: schema_has
// and schema_relid look for it in schema pgq.
struct Marker {
  SchemaObject object;
  const char* relation;
  const char* since;  // the extension version that added it, for readers
};
constexpr Marker kMarkers[] = {
    {SchemaObject::queue_config, "queue_config", "1.2"},
    {SchemaObject::consumer_config, "consumer_config", "1.2"},
    {SchemaObject::delayed_event, "delayed_event", "1.2"},
    {SchemaObject::delayed_mark, "delayed_mark", "1.3"},
    {SchemaObject::subscription_cell, "subscription_cell", "1.4"},
    {SchemaObject::subscription_cell_pkey, "subscription_cell_pkey", "1.4"},
};
constexpr int kCount = sizeof(kMarkers) / sizeof(kMarkers[0]);

// Per object: whether it was looked up since the last catalog change
// (false, the zero value, for an object added to kMarkers), and its oid
// then (InvalidOid: missing).
struct Known {
  bool looked_up;
  Oid relid;
};
Known known[kCount] = {};

void forget(Datum, int, uint32) {
  for (Known& k : known) k.looked_up = false;
}

}  // namespace

void schema_objects_init() {
  CacheRegisterSyscacheCallback(RELNAMENSP, forget, 0);
  CacheRegisterSyscacheCallback(NAMESPACENAME, forget, 0);
}

Oid schema_relid(SchemaObject object) {
  int i = static_cast<int>(object);
  if (!known[i].looked_up) {
    known[i].relid = pg_call([&] {
      Oid ns = get_namespace_oid("pgq", true);
      return OidIsValid(ns) ? get_relname_relid(kMarkers[i].relation, ns) : InvalidOid;
    });
    known[i].looked_up = true;
  }
  return known[i].relid;
}

bool schema_has(SchemaObject object) { return OidIsValid(schema_relid(object)); }

}  // namespace pgqpp::ext
