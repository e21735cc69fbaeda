// SPDX-License-Identifier: PostgreSQL
#include "pgqpp/exactly_once_consumer.hpp"

#include "consume/exactly_once_runner.hpp"
#include "consume/keyed_pool.hpp"

namespace pgqpp {

ExactlyOnceConsumer::ExactlyOnceConsumer(std::string source_conninfo, std::string target_conninfo,
                                         ExactlyOnceOptions options)
    : runner_(std::make_unique<detail::ExactlyOnceRunner>(
          std::move(source_conninfo), std::move(target_conninfo), std::move(options))) {}

ExactlyOnceConsumer::ExactlyOnceConsumer(ExactlyOnceConsumer&&) noexcept = default;
ExactlyOnceConsumer& ExactlyOnceConsumer::operator=(ExactlyOnceConsumer&&) noexcept = default;
ExactlyOnceConsumer::~ExactlyOnceConsumer() = default;

void ExactlyOnceConsumer::run_events(EventHandler handler) {
  runner_->run([&](detail::BatchReader& reader, Transaction& target) {
    while (reader.advance()) {
      Tag tag = handler(reader.current(), target);
      if (tag.is_retry()) reader.retry(reader.current(), tag.delay());
      if (tag.is_dead()) reader.dead(reader.current(), tag.reason());
    }
  });
}

void ExactlyOnceConsumer::run_batches(BatchHandler handler) {
  runner_->run(
      [&](detail::BatchReader& reader, Transaction& target) { handler(reader.batch(), target); });
}

void ExactlyOnceConsumer::run_keyed(KeyedOptions keyed, KeyedHandler handler) {
  SharedTransaction* target = nullptr;  // the batch's, set before its events are read
  detail::KeyedPool pool(
      keyed, [&](const Event& ev) { return handler(ev, *target); }, runner_->stop());
  runner_->run([&](detail::BatchReader& reader, Transaction& tx) {
    SharedTransaction shared(tx);
    target = &shared;
    detail::handle_keyed_batch(reader, pool);
  });
}

void ExactlyOnceConsumer::stop(StopMode mode) noexcept { runner_->stop().request(mode); }

}  // namespace pgqpp
