// SPDX-License-Identifier: PostgreSQL
// Which of pgqpp's later tables the installed schema has, and their oids. One pgqpp.so
// serves every database of a server, and a database keeps its older schema
// until ALTER EXTENSION pgqpp UPDATE: code that uses a table added by a later
// version asks here first and keeps the older behaviour without it. The one
// list of those tables and the version that added each is in
// schema_objects.cpp. The answers are cached per backend and dropped by any
// pg_class or pg_namespace change (syscache callbacks), so the hot paths
// (next_batch, finish_batch, the batch load, ticking) look nothing up.
#pragma once

#include "pg/postgres.hpp"

namespace pgqpp::ext {

enum class SchemaObject {
  queue_config,            // 1.2: dead letters (pgq.queue_config, pgq.dead_letter)
  consumer_config,         // 1.2: bounded batches
  delayed_event,           // 1.2: delayed events, deleted when delivered
  delayed_mark,            // 1.3: delayed events with a delivered-up-to mark
  subscription_cell,       // 1.4: positions written in place while VACUUM is held
  subscription_cell_pkey,  // 1.4: its primary key index
};

/// Whether the installed pgq schema has `object`.
bool schema_has(SchemaObject object);

/// The oid of `object` in schema pgq, InvalidOid when the installed schema
/// has none; cached like schema_has.
Oid schema_relid(SchemaObject object);

/// Registers the invalidation callbacks; called once from _PG_init.
void schema_objects_init();

}  // namespace pgqpp::ext
