// SPDX-License-Identifier: PostgreSQL
#include "pgqpp/batch.hpp"

#include "consume/batch_reader.hpp"
#include "pg/errors.hpp"

namespace pgqpp {

const Event& Batch::iterator::operator*() const noexcept { return reader_->current(); }

Batch::iterator& Batch::iterator::operator++() {
  if (!reader_->advance()) reader_ = nullptr;
  return *this;
}

bool Batch::iterator::operator==(std::default_sentinel_t) const noexcept {
  return reader_ == nullptr;
}

Batch::iterator Batch::begin() {
  if (reader_->begun()) detail::throw_usage("a Batch can be iterated only once");
  reader_->mark_begun();
  iterator it(reader_);
  return ++it;
}

std::int64_t Batch::id() const noexcept { return reader_->info().id; }
std::int64_t Batch::tick_id() const noexcept { return reader_->info().tick_id; }
std::int64_t Batch::prev_tick_id() const noexcept { return reader_->info().prev_tick_id; }
std::int64_t Batch::events_read() const noexcept { return reader_->events_read(); }
bool Batch::interrupted() const noexcept { return reader_->interrupted(); }

void Batch::retry(const Event& event, std::chrono::seconds delay) { reader_->retry(event, delay); }

void Batch::dead(const Event& event, std::string reason) {
  reader_->dead(event, std::move(reason));
}

}  // namespace pgqpp
