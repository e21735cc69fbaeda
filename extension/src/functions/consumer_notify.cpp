// SPDX-License-Identifier: PostgreSQL
// Tick notifications: see consumer_notify.hpp.
#include "functions/consumer_notify.hpp"

#include <string>

#include "pg/bridge.hpp"
#include "pg/spi.hpp"

extern "C" {
#include "commands/async.h"
}

namespace pgqpp::ext {

namespace {
SPIPlanPtr queue_id_plan = nullptr;
}

void notify_tick(int32 queue_id, int64 tick_id) {
  std::string channel = "pgqpp_tick_" + std::to_string(queue_id);
  std::string payload = std::to_string(tick_id);
  pg_call([&] { Async_Notify(channel.c_str(), payload.c_str()); });
}

int32 queue_id_of(Datum queue_name) {
  SPIPlanPtr plan = spi::prepare(queue_id_plan,
                                 "select queue_id from pgq.queue where queue_name = $1", {TEXTOID});
  if (spi::execute(plan, &queue_name, nullptr, true, 1) == 0) return 0;
  return DatumGetInt32(spi::value(0, 1));
}

}  // namespace pgqpp::ext
