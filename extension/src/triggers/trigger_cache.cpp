// SPDX-License-Identifier: PostgreSQL
// The triggers' backend-local cache: see trigger_cache.hpp.
#include "triggers/trigger_cache.hpp"

#include <cstdint>
#include <unordered_map>

#include "pg/bridge.hpp"

extern "C" {
#include "utils/syscache.h"
}

namespace pgqpp::ext::triggers {

namespace {

struct TableEntry {
  std::shared_ptr<const TableMeta> meta;
  std::unordered_map<Oid, std::shared_ptr<const TriggerPlan>> plans;  // by trigger oid
  std::uint64_t invalidations = 0;  // counts the callbacks that hit this table
  bool stale = true;
};

std::unordered_map<Oid, TableEntry> tables;

// The invalidation callbacks below run inside PostgreSQL's invalidation
// processing: they only flip flags (no allocation, nothing that throws or
// raises), so they need no bridge.
void mark_stale(TableEntry& entry) {
  entry.stale = true;
  ++entry.invalidations;
}

void on_relcache_invalidation(Datum, Oid relid) {
  if (relid == InvalidOid) {
    for (auto& [oid, entry] : tables) mark_stale(entry);
    return;
  }
  auto it = tables.find(relid);
  if (it != tables.end()) mark_stale(it->second);
}

void on_namespace_change(Datum, int, uint32) {
  for (auto& [oid, entry] : tables) mark_stale(entry);
}

// Forgets the stale entries, so that a backend creating and dropping many
// tables does not keep their plans. A running trigger call still holds its
// own shared_ptr; the last holder frees the plan (in a normal context, never
// inside an invalidation callback).
void sweep_stale() {
  for (auto it = tables.begin(); it != tables.end();)
    it = it->second.stale ? tables.erase(it) : std::next(it);
}

// The table's metadata, rebuilt when stale. Building reads catalogs, which
// may deliver invalidations for this very table: then it is read again.
std::shared_ptr<const TableMeta> table_meta_for(Relation rel) {
  Oid relid = RelationGetRelid(rel);
  {
    auto it = tables.find(relid);
    bool fits = it != tables.end() && it->second.meta &&
                it->second.meta->columns.size() == static_cast<size_t>(rel->rd_att->natts);
    if (fits && !it->second.stale) return it->second.meta;
  }
  sweep_stale();
  for (int attempt = 0;; ++attempt) {
    TableEntry& entry = tables[relid];
    std::uint64_t seen = entry.invalidations;
    std::shared_ptr<const TableMeta> meta = build_table_meta(rel);
    TableEntry& again = tables[relid];  // the map may have changed meanwhile
    if (again.invalidations == seen || attempt >= 10) {
      again.meta = meta;
      again.plans.clear();
      again.stale = false;
      return meta;
    }
  }
}

}  // namespace

void trigger_cache_init() {
  CacheRegisterRelcacheCallback(on_relcache_invalidation, 0);
  CacheRegisterSyscacheCallback(NAMESPACEOID, on_namespace_change, 0);
}

std::shared_ptr<const TriggerPlan> trigger_plan_for(TriggerData* tg, core::Format format,
                                                    bool truncate) {
  std::shared_ptr<const TableMeta> meta = table_meta_for(tg->tg_relation);
  Oid relid = meta->relid;
  Oid tgoid = tg->tg_trigger->tgoid;
  {
    auto& plans = tables[relid].plans;
    auto it = plans.find(tgoid);
    if (it != plans.end() && it->second->table == meta && it->second->format == format &&
        it->second->truncate == truncate)
      return it->second;
  }
  std::shared_ptr<const TriggerPlan> plan =
      build_trigger_plan(tg->tg_trigger, meta, format, truncate);
  TableEntry& entry = tables[relid];
  if (entry.meta == meta) entry.plans.insert_or_assign(tgoid, plan);
  return plan;
}

}  // namespace pgqpp::ext::triggers
