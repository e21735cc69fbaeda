// SPDX-License-Identifier: PostgreSQL
#include "pgqpp/consumer.hpp"

#include "consume/batch_reader.hpp"
#include "consume/batch_source.hpp"
#include "consume/consumer_loop.hpp"

namespace pgqpp {

Consumer::Consumer(std::string conninfo, ConsumerOptions options)
    : source_(std::make_unique<detail::BatchSource>(std::move(conninfo), std::move(options))) {}

Consumer::Consumer(Consumer&&) noexcept = default;
Consumer& Consumer::operator=(Consumer&&) noexcept = default;
Consumer::~Consumer() = default;

void Consumer::run_events(EventHandler handler) {
  detail::run_consumer_loop(*source_, [&](detail::BatchReader& reader) {
    while (reader.advance()) {
      Tag tag = handler(reader.current());
      if (tag.is_retry()) reader.retry(reader.current(), tag.delay());
      if (tag.is_dead()) reader.dead(reader.current(), tag.reason());
    }
  });
}

void Consumer::run_batches(BatchHandler handler) {
  detail::run_consumer_loop(*source_,
                            [&](detail::BatchReader& reader) { handler(reader.batch()); });
}

void Consumer::stop(StopMode mode) noexcept { source_->stop().request(mode); }

bool Consumer::register_consumer() { return source_->register_consumer(); }

void Consumer::unregister_consumer() { source_->unregister_consumer(); }

std::int64_t Consumer::events_seen() const noexcept { return source_->events_seen(); }

std::int64_t Consumer::batches_finished() const noexcept { return source_->batches_finished(); }

}  // namespace pgqpp
