// SPDX-License-Identifier: PostgreSQL
// Which event a keyed worker takes next: the pure scheduling of keyed
// parallelism (no threads, no I/O), unit-tested on its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace pgqpp::detail {

/// Orders work items by key: items of one key are handed out one at a time,
/// in the order they were submitted (the next only after done() for the
/// previous), while items of different keys can be out at once. Keys wait
/// their turn in the order they became runnable, so no key starves. Not
/// thread-safe: the caller holds its own lock.
class KeyScheduler {
 public:
  /// The caller's handle of one work item (an index into its own storage).
  using Item = std::uint64_t;
  /// An item handed out, with its key (to pass back to done()).
  struct Task {
    std::string key;
    Item item = 0;
  };

  /// Queues `item` behind the items of `key` already queued or running.
  void submit(const std::string& key, Item item);
  /// The next runnable item (its key is then running), or nullopt when
  /// every queued item's key is running or nothing is queued.
  std::optional<Task> take();
  /// The running item of `key` finished: the key's next item turns
  /// runnable. Throws std::logic_error when `key` was not running.
  void done(const std::string& key);
  /// Forgets every queued item (not the running ones) and returns them, in
  /// key order then submission order.
  std::vector<Item> drop_queued();

  /// Items submitted and not yet handed out.
  std::size_t queued() const noexcept { return queued_; }
  /// Items handed out and not yet done.
  std::size_t running() const noexcept { return running_; }
  /// Nothing queued and nothing running.
  bool idle() const noexcept { return queued_ == 0 && running_ == 0; }

 private:
  struct Lane {
    std::deque<Item> items;  // queued, in submission order
    bool running = false;
  };
  std::unordered_map<std::string, Lane> lanes_;
  std::deque<std::string> ready_;  // keys with queued items and none running
  std::size_t queued_ = 0;
  std::size_t running_ = 0;
};

}  // namespace pgqpp::detail
