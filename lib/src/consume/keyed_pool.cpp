// SPDX-License-Identifier: PostgreSQL
#include "consume/keyed_pool.hpp"

#include <chrono>
#include <string_view>

#include "pg/errors.hpp"

namespace pgqpp::detail {

namespace {

std::optional<std::string> own(const std::optional<std::string_view>& v) {
  if (!v) return std::nullopt;
  return std::string(*v);
}

std::optional<std::string_view> view(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return std::string_view(*s);
}

// How often waits look at the stop request (a stop does not signal the
// condition variable: it is raised from signal handlers too).
constexpr auto stop_check = std::chrono::milliseconds(20);

}  // namespace

void check_keyed_options(const KeyedOptions& keyed) {
  if (!keyed.key) throw_usage("KeyedOptions: key is required (the function naming an event's key)");
  if (keyed.workers < 1 || keyed.workers > 1024)
    throw_usage("KeyedOptions: workers must be between 1 and 1024, not " +
                std::to_string(keyed.workers));
  if (keyed.max_in_flight < 1) throw_usage("KeyedOptions: max_in_flight must be at least 1");
}

OwnedEvent::OwnedEvent(const Event& from)
    : event(from),
      type_(own(from.type)),
      data_(own(from.data)),
      extra1_(own(from.extra1)),
      extra2_(own(from.extra2)),
      extra3_(own(from.extra3)),
      extra4_(own(from.extra4)) {
  event.type = view(type_);
  event.data = view(data_);
  event.extra1 = view(extra1_);
  event.extra2 = view(extra2_);
  event.extra3 = view(extra3_);
  event.extra4 = view(extra4_);
}

KeyedPool::KeyedPool(const KeyedOptions& keyed, Handler handler, const StopState& stop)
    : key_(keyed.key),
      max_in_flight_(keyed.max_in_flight),
      handler_(std::move(handler)),
      stop_(stop) {
  check_keyed_options(keyed);
  threads_.reserve(static_cast<std::size_t>(keyed.workers));
  try {
    for (int i = 0; i < keyed.workers; ++i) threads_.emplace_back([this] { work(); });
  } catch (...) {
    shut_down();  // the threads already started (the destructor will not run)
    throw;
  }
}

KeyedPool::~KeyedPool() { shut_down(); }

void KeyedPool::shut_down() noexcept {
  {
    std::lock_guard lock(mutex_);
    shutdown_ = true;
    drop_queued_locked();
  }
  changed_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void KeyedPool::drop_queued_locked() {
  for (auto item : scheduler_.drop_queued()) {
    items_.erase(item);
    dropped_ = true;
  }
}

bool KeyedPool::submit(const Event& ev) {
  std::string key = key_(ev);
  auto owned = std::make_unique<OwnedEvent>(ev);
  std::unique_lock lock(mutex_);
  for (;;) {
    if (failure_) return false;
    if (stopping_now()) {
      drop_queued_locked();
      return false;
    }
    if (items_.size() < max_in_flight_) break;
    changed_.wait_for(lock, stop_check);
  }
  auto item = next_item_++;
  items_.emplace(item, std::move(owned));
  scheduler_.submit(key, item);
  lock.unlock();
  changed_.notify_one();
  return true;
}

bool KeyedPool::drain() {
  std::unique_lock lock(mutex_);
  while (!scheduler_.idle()) {
    if (stopping_now()) drop_queued_locked();
    changed_.wait_for(lock, stop_check);
  }
  if (failure_) {
    auto f = std::exchange(failure_, nullptr);
    dropped_ = false;
    tags_.clear();  // the batch comes again, whole
    std::rethrow_exception(f);
  }
  return !std::exchange(dropped_, false);
}

void KeyedPool::abandon() noexcept {
  std::unique_lock lock(mutex_);
  drop_queued_locked();
  changed_.wait(lock, [&] { return scheduler_.idle(); });
  tags_.clear();
  failure_ = nullptr;
  dropped_ = false;
}

std::vector<std::pair<std::int64_t, Tag>> KeyedPool::take_tags() {
  std::lock_guard lock(mutex_);
  return std::exchange(tags_, {});
}

void KeyedPool::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    std::optional<KeyScheduler::Task> task;
    changed_.wait(lock, [&] {
      if (shutdown_) return true;
      if (failure_ || stopping_now()) return false;
      task = scheduler_.take();
      return task.has_value();
    });
    if (!task) return;  // shutdown
    const Event& ev = items_.at(task->item)->event;
    lock.unlock();
    std::optional<Tag> tag;
    std::exception_ptr failed;
    try {
      tag = handler_(ev);
    } catch (...) {
      failed = std::current_exception();
    }
    lock.lock();
    if (failed) {
      if (!failure_) failure_ = failed;
      drop_queued_locked();
    } else if (tag->is_retry() || tag->is_dead()) {
      tags_.emplace_back(ev.id, std::move(*tag));
    }
    items_.erase(task->item);
    scheduler_.done(task->key);
    changed_.notify_all();
  }
}

void handle_keyed_batch(BatchReader& reader, KeyedPool& pool) {
  try {
    while (reader.advance())
      if (!pool.submit(reader.current())) break;
  } catch (...) {
    pool.abandon();  // the handlers still running may use what the caller unwinds
    throw;
  }
  bool complete = pool.drain();  // a handler's exception propagates from here
  Event ev;
  for (auto& [id, tag] : pool.take_tags()) {
    ev.id = id;
    if (tag.is_retry()) reader.retry(ev, tag.delay());
    if (tag.is_dead()) reader.dead(ev, tag.reason());
  }
  if (!complete) reader.interrupt();
}

}  // namespace pgqpp::detail
