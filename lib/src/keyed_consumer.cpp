// SPDX-License-Identifier: PostgreSQL
#include "pgqpp/keyed_consumer.hpp"

#include "consume/batch_reader.hpp"
#include "consume/batch_source.hpp"
#include "consume/consumer_loop.hpp"
#include "consume/keyed_pool.hpp"

namespace pgqpp {

KeyedConsumer::KeyedConsumer(std::string conninfo, ConsumerOptions options, KeyedOptions keyed)
    : keyed_(std::move(keyed)) {
  detail::check_keyed_options(keyed_);
  source_ = std::make_unique<detail::BatchSource>(std::move(conninfo), std::move(options));
}

KeyedConsumer::KeyedConsumer(KeyedConsumer&&) noexcept = default;
KeyedConsumer& KeyedConsumer::operator=(KeyedConsumer&&) noexcept = default;
KeyedConsumer::~KeyedConsumer() = default;

void KeyedConsumer::run_events(EventHandler handler) {
  detail::KeyedPool pool(keyed_, std::move(handler), source_->stop());
  detail::run_consumer_loop(
      *source_, [&](detail::BatchReader& reader) { detail::handle_keyed_batch(reader, pool); });
}

void KeyedConsumer::stop(StopMode mode) noexcept { source_->stop().request(mode); }

bool KeyedConsumer::register_consumer() { return source_->register_consumer(); }

void KeyedConsumer::unregister_consumer() { source_->unregister_consumer(); }

std::int64_t KeyedConsumer::events_seen() const noexcept { return source_->events_seen(); }

std::int64_t KeyedConsumer::batches_finished() const noexcept {
  return source_->batches_finished();
}

}  // namespace pgqpp
