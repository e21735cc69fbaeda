// SPDX-License-Identifier: PostgreSQL
// The module's identity: the magic block PostgreSQL checks when it loads
// pgqpp.so, and _PG_init, which registers the backend-local caches'
// invalidation callbacks (queues, trigger plans, the insert_event lookup),
// the hooks that close the statement-scoped event writer and, at server
// start, the commit wake-up path for tickers and the tick wake-up path for
// consumers waiting in pgq.next_batch_wait, and the database-wide count of
// position writes behind a held horizon.
#include "functions/consumer_wait.hpp"
#include "functions/event_writer_cache.hpp"
#include "functions/horizon_stall_shared.hpp"
#include "functions/position_cells.hpp"
#include "functions/queue_cache.hpp"
#include "functions/schema_objects.hpp"
#include "functions/ticker_wakeup.hpp"
#include "pg/bridge.hpp"
#include "triggers/event_sink.hpp"
#include "triggers/trigger_cache.hpp"

extern "C" {
PG_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);

void _PG_init(void) {
  pgqpp::ext::queue_cache_init();
  pgqpp::ext::schema_objects_init();
  pgqpp::ext::event_writer_cache_init();
  pgqpp::ext::position_cells_init();
  pgqpp::ext::triggers::trigger_cache_init();
  pgqpp::ext::triggers::event_sink_init();
  pgqpp::ext::ticker_wakeup_init();  // only when in shared_preload_libraries
  pgqpp::ext::consumer_wait_init();  // likewise
  pgqpp::ext::horizon_stall_init();  // likewise
}
}
