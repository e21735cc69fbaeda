// SPDX-License-Identifier: PostgreSQL
// DemoTraffic (see demo_traffic.hpp).
#include "demo_traffic.hpp"

#include <algorithm>
#include <chrono>

#include <pgqpp/connection.hpp>
#include <pgqpp/consumer.hpp>
#include <pgqpp/error.hpp>
#include <pgqpp/producer.hpp>

namespace pgqpp::cli {

using Clock = std::chrono::steady_clock;

struct DemoTraffic::ConsumerState {
  std::string name;
  std::mutex mutex;
  long long events = 0;
  long long batches = 0;
  std::vector<std::int64_t> ids;
  std::vector<double> all_latency;
  std::vector<double> recent_latency;
  std::thread thread;
};

DemoTraffic::DemoTraffic(std::string conninfo, std::string queue,
                         std::vector<std::string> consumers, int rate)
    : conninfo_(std::move(conninfo)), queue_(std::move(queue)) {
  for (auto& name : consumers) {
    auto state = std::make_unique<ConsumerState>();
    state->name = name;
    consumers_.push_back(std::move(state));
  }
  for (auto& c : consumers_) c->thread = std::thread([this, s = c.get()] { consume(*s); });
  producer_ = std::thread([this, rate] { produce(rate); });
}

DemoTraffic::~DemoTraffic() {
  stop_producer();
  consumers_stop_.request(StopMode::now);
  for (auto& c : consumers_)
    if (c->thread.joinable()) c->thread.join();
}

// Every 10 ms, inserts what the rate asks for by now, in one transaction:
// a steady flow of small bulk inserts, like a busy application's.
void DemoTraffic::produce(int rate) {
  try {
    Connection db(conninfo_);
    Producer producer(db, queue_);
    auto start = Clock::now();
    long long sequence = 0;
    std::vector<NewEvent> events;
    while (!producer_stop_) {
      double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
      auto due = static_cast<long long>(elapsed * rate);
      events.clear();
      for (; sequence < due; ++sequence)
        events.push_back({.type = "order.created",
                          .data = "{\"order\": " + std::to_string(sequence + 1) +
                                  ", \"amount\": " + std::to_string(sequence % 97 + 3) + "}"});
      if (!events.empty()) produced_ += producer.insert_many(events);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    producer_seconds_ = std::chrono::duration<double>(Clock::now() - start).count();
  } catch (const std::exception& e) {
    record_error(std::string("producer: ") + e.what());
  }
}

void DemoTraffic::consume(ConsumerState& state) {
  try {
    ConsumerOptions options;
    options.queue = queue_;
    options.consumer = state.name;
    options.register_consumer = false;
    options.stop = consumers_stop_;
    Consumer consumer(conninfo_, options);
    consumer.run([&state](const Event& ev) {
      double ms =
          std::chrono::duration<double, std::milli>(std::chrono::system_clock::now() - ev.time)
              .count();
      std::lock_guard lock(state.mutex);
      ++state.events;
      state.ids.push_back(ev.id);
      state.all_latency.push_back(ms);
      state.recent_latency.push_back(ms);
    });
    std::lock_guard lock(state.mutex);
    state.batches = consumer.batches_finished();
  } catch (const std::exception& e) {
    record_error("consumer " + state.name + ": " + e.what());
  }
}

std::vector<ConsumerReport> DemoTraffic::snapshot(bool take_latency) {
  std::vector<ConsumerReport> out;
  for (auto& c : consumers_) {
    std::lock_guard lock(c->mutex);
    ConsumerReport r{
        .name = c->name, .events = c->events, .distinct = 0, .batches = 0, .latency_ms = {}};
    if (take_latency) r.latency_ms.swap(c->recent_latency);
    out.push_back(std::move(r));
  }
  return out;
}

void DemoTraffic::stop_producer() {
  producer_stop_ = true;
  if (producer_.joinable()) producer_.join();
}

std::vector<ConsumerReport> DemoTraffic::finish() {
  consumers_stop_.request(StopMode::after_batch);
  for (auto& c : consumers_)
    if (c->thread.joinable()) c->thread.join();
  std::vector<ConsumerReport> out;
  for (auto& c : consumers_) {
    std::vector<std::int64_t> ids = c->ids;
    std::sort(ids.begin(), ids.end());
    long long distinct = std::unique(ids.begin(), ids.end()) - ids.begin();
    out.push_back({.name = c->name,
                   .events = c->events,
                   .distinct = distinct,
                   .batches = c->batches,
                   .latency_ms = c->all_latency});
  }
  return out;
}

void DemoTraffic::record_error(const std::string& what) {
  std::lock_guard lock(error_mutex_);
  if (error_.empty()) error_ = what;
}

std::string DemoTraffic::error() {
  std::lock_guard lock(error_mutex_);
  return error_;
}

}  // namespace pgqpp::cli
