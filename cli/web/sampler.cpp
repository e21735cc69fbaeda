// SPDX-License-Identifier: PostgreSQL
// The sampler's thread and its ring (sampler.hpp).
#include "sampler.hpp"

#include <pgqpp/error.hpp>

#include "pgq_lookup.hpp"
#include "status_query.hpp"
#include "status_render.hpp"

namespace pgqpp::cli::web {

namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

nlohmann::json sample_of(const nlohmann::json& status, std::int64_t unix_ms) {
  nlohmann::json queues = nlohmann::json::array(), consumers = nlohmann::json::array();
  if (status.is_object()) {
    for (const auto& q : status["queues"])
      queues.push_back({{"name", q["name"]},
                        {"events_per_second", q["events_per_second"]},
                        {"pending_events", q["pending_events"]}});
    for (const auto& c : status["consumers"])
      consumers.push_back({{"queue", c["queue"]},
                           {"name", c["name"]},
                           {"lag_seconds", c["lag_seconds"]},
                           {"pending_events", c["pending_events"]},
                           {"lagging", c["lagging"]}});
  }
  return {{"time", unix_ms}, {"queues", queues}, {"consumers", consumers}};
}

Sampler::Sampler(SamplerSettings settings) : settings_(std::move(settings)) {
  thread_ = std::thread([this] { run(); });
}

Sampler::~Sampler() {
  stop();
  if (thread_.joinable()) thread_.join();
}

void Sampler::stop() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
  changed_.notify_all();
}

bool Sampler::stopped() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

std::string Sampler::database() const {
  std::lock_guard lock(mutex_);
  return database_;
}

Round Sampler::latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

nlohmann::json Sampler::series() const {
  std::lock_guard lock(mutex_);
  const double interval = settings_.interval.count() / 1000.0;
  return {{"interval_seconds", interval},
          {"history_seconds", interval * static_cast<double>(settings_.history)},
          {"samples", nlohmann::json(ring_)}};
}

std::optional<Round> Sampler::wait_after(std::uint64_t seq, std::chrono::milliseconds limit) const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, limit, [&] { return stopping_ || latest_.seq > seq; });
  if (stopping_ || latest_.seq <= seq) return std::nullopt;
  return latest_;
}

// One snapshot; any failure becomes the round's error and drops the
// connection, so that the next round starts from a fresh one.
Round Sampler::one_round(std::optional<Connection>& db, std::uint64_t seq) {
  Round r;
  r.seq = seq;
  try {
    if (!db) {
      db.emplace(settings_.conn.dsn, settings_.db_timeout);
      db->set_query_timeout(settings_.db_timeout);
      db->exec("select set_config('statement_timeout', $1, false)",
               {std::to_string(settings_.db_timeout.count())});
    }
    require_pgq(*db);
    r.status = status_json(read_status(*db, std::nullopt, settings_.lag_threshold));
  } catch (const std::exception& e) {
    db.reset();
    r.status = nullptr;
    r.error = e.what();
  }
  r.sample = sample_of(r.status, now_ms());
  if (!r.error.empty()) r.sample["error"] = r.error;
  return r;
}

void Sampler::run() {
  std::optional<Connection> db;
  for (std::uint64_t seq = 1;; ++seq) {
    const auto started = std::chrono::steady_clock::now();
    Round r = one_round(db, seq);
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    ring_.push_back(r.sample);
    while (ring_.size() > settings_.history) ring_.pop_front();
    if (r.status.is_object() && r.status["database"].is_string()) database_ = r.status["database"];
    latest_ = std::move(r);
    changed_.notify_all();
    changed_.wait_until(lock, started + settings_.interval, [&] { return stopping_; });
    if (stopping_) return;
  }
}

}  // namespace pgqpp::cli::web
