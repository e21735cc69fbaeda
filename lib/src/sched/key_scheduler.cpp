// SPDX-License-Identifier: PostgreSQL
#include "sched/key_scheduler.hpp"

#include <stdexcept>

namespace pgqpp::detail {

void KeyScheduler::submit(const std::string& key, Item item) {
  Lane& lane = lanes_[key];
  lane.items.push_back(item);
  ++queued_;
  // A key turns runnable with its first queued item; while it runs, done()
  // makes it runnable again.
  if (!lane.running && lane.items.size() == 1) ready_.push_back(key);
}

std::optional<KeyScheduler::Task> KeyScheduler::take() {
  if (ready_.empty()) return std::nullopt;
  Task t;
  t.key = std::move(ready_.front());
  ready_.pop_front();
  Lane& lane = lanes_.at(t.key);
  t.item = lane.items.front();
  lane.items.pop_front();
  lane.running = true;
  --queued_;
  ++running_;
  return t;
}

void KeyScheduler::done(const std::string& key) {
  auto it = lanes_.find(key);
  if (it == lanes_.end() || !it->second.running)
    throw std::logic_error("KeyScheduler::done: key \"" + key + "\" is not running");
  it->second.running = false;
  --running_;
  if (it->second.items.empty())
    lanes_.erase(it);
  else
    ready_.push_back(key);
}

std::vector<KeyScheduler::Item> KeyScheduler::drop_queued() {
  std::vector<Item> dropped;
  for (auto it = lanes_.begin(); it != lanes_.end();) {
    dropped.insert(dropped.end(), it->second.items.begin(), it->second.items.end());
    it->second.items.clear();
    it = it->second.running ? std::next(it) : lanes_.erase(it);
  }
  ready_.clear();
  queued_ = 0;
  return dropped;
}

}  // namespace pgqpp::detail
