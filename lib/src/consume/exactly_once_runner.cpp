// SPDX-License-Identifier: PostgreSQL
#include "consume/exactly_once_runner.hpp"

#include <poll.h>

#include "pg/errors.hpp"

namespace pgqpp::detail {

ExactlyOnceRunner::ExactlyOnceRunner(std::string source_conninfo, std::string target_conninfo,
                                     ExactlyOnceOptions options)
    : source_(std::move(source_conninfo), options.consumer),
      target_conninfo_(std::move(target_conninfo)),
      progress_(options.progress_table, options.consumer.queue, options.consumer.consumer),
      on_step_(std::move(options.on_step)) {
  // The progress row remembers one consumer's last batch; a batch another
  // subconsumer takes over after a crash would be applied again.
  if (source_.coop())
    throw_usage("ExactlyOnceOptions: an exactly-once consumer cannot be a subconsumer");
}

void ExactlyOnceRunner::step(ExactlyOnceStep s, std::int64_t batch_id) const {
  if (on_step_) on_step_(s, batch_id);
}

Connection& ExactlyOnceRunner::target() {
  if (!target_) {
    target_.emplace(target_conninfo_);
    progress_.ensure(*target_);
  }
  return *target_;
}

bool ExactlyOnceRunner::reopen_target(const error& cause) {
  target_.reset();
  if (auto& hook = source_.options().on_connection_lost) hook(cause);
  for (;;) {
    pollfd p{stop().any_fd(), POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(source_.options().reconnect_delay.count())) > 0) return false;
    try {
      target();
      return true;
    } catch (const connection_lost&) {
    } catch (const timeout_error&) {
    }
  }
}

void ExactlyOnceRunner::run(const Process& process) {
  source_.conn();  // first connections fail loudly; later ones are retried
  target();
  while (stop().mode() == StopMode::none) {
    try {
      auto batch = source_.next_batch();
      if (!batch) {
        if (source_.options().stop_when_idle) return;
        source_.wait_for_tick();
        continue;
      }
      if (apply(std::move(*batch), process) == Step::stop) return;
    } catch (const connection_lost& e) {
      // Not ours when both our connections are fine: the handler's own.
      if (source_.connected() && target_ok()) throw;
      if (!source_.connected() && !source_.reconnect(e, stop().any_fd())) return;
      if (!target_ok() && !reopen_target(e)) return;
    }
  }
}

ExactlyOnceRunner::Step ExactlyOnceRunner::apply(BatchInfo batch, const Process& process) {
  Transaction tx(target());
  if (progress_.lock(tx) == batch.id) {
    // Applied and committed before a crash; only the finish was missing.
    auto retries = progress_.retries(tx);
    tx.rollback();
    source_.finish(batch.id, retries);
    step(ExactlyOnceStep::after_finish, batch.id);
    return Step::batch_done;
  }
  step(ExactlyOnceStep::before_work, batch.id);
  BatchProgress progress;
  progress.batch_id = batch.id;
  BatchReader reader(source_, batch, progress, false);
  process(reader, tx);
  if (!reader.interrupted()) reader.skip_rest();
  if (reader.interrupted()) return Step::stop;  // tx rolls back
  // The progress table records retries only: a dead letter decided here
  // could not be sent again after a crash between commit and finish.
  for (const RetryTag& t : progress.retries)
    if (t.dead)
      throw_usage("Tag::dead is not supported by ExactlyOnceConsumer (yet): retry instead");
  step(ExactlyOnceStep::after_work, batch.id);
  progress_.record(tx, batch, progress.retries);
  tx.commit();
  step(ExactlyOnceStep::after_commit, batch.id);
  source_.finish(batch.id, progress.retries);
  step(ExactlyOnceStep::after_finish, batch.id);
  return Step::batch_done;
}

}  // namespace pgqpp::detail
