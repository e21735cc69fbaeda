// SPDX-License-Identifier: PostgreSQL
#include "consume/consumer_loop.hpp"

namespace pgqpp::detail {

namespace {

enum class Step { batch_done, idle, stop };

// Reads the batch (unless a previous attempt read it all) and finishes it.
// `in_handler` is true while an exception would be the handler's.
Step process_batch(BatchSource& source, BatchInfo batch, BatchProgress& progress,
                   const std::function<void(BatchReader&)>& process, bool& in_handler) {
  if (progress.batch_id != batch.id) {
    progress = BatchProgress{};
    progress.batch_id = batch.id;
  }
  if (!progress.all_read) {
    BatchReader reader(source, std::move(batch), progress, true);
    try {
      in_handler = true;
      process(reader);
      in_handler = false;
      if (!reader.interrupted()) reader.skip_rest();
    } catch (...) {
      progress = {};  // the whole batch comes again, the failed event included
      throw;
    }
    if (reader.interrupted()) {
      progress = {};
      return Step::stop;
    }
  }
  source.finish(progress.batch_id, progress.retries);
  progress = {};
  return Step::batch_done;
}

}  // namespace

void run_consumer_loop(BatchSource& source, const std::function<void(BatchReader&)>& process) {
  source.conn();  // the first connection fails loudly; later ones are retried
  BatchProgress progress;
  while (source.stop().mode() == StopMode::none) {
    bool in_handler = false;
    try {
      auto batch = source.next_batch();
      if (!batch) {
        if (source.options().stop_when_idle) return;
        source.wait_for_tick();
        continue;
      }
      if (process_batch(source, std::move(*batch), progress, process, in_handler) == Step::stop)
        return;
    } catch (const connection_lost& e) {
      // Ours (next_batch, finish, wait) are repaired here, the stream's by
      // the reader; one from the handler is the handler's business.
      if (in_handler) throw;
      if (!source.reconnect(e, source.stop().any_fd())) return;
    }
  }
}

}  // namespace pgqpp::detail
