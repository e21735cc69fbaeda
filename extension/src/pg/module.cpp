// The module's identity: the magic block PostgreSQL checks when it loads
// pgqpp.so, and _PG_init, which registers the backend-local caches'
// invalidation callbacks and, at server start, the wake-up path.
#include "pg/bridge.hpp"
#include "functions/commit_wakeup.hpp"
#include "functions/queue_cache.hpp"

extern "C" {
PG_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);

void _PG_init(void) {
  pgqpp::ext::queue_cache_init();
  pgqpp::ext::commit_wakeup_init();  // only when in shared_preload_libraries
}
}
