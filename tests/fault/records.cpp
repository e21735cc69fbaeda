// SPDX-License-Identifier: PostgreSQL
#include "records.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string_view>

#include "event_key.hpp"

namespace pgqpp::fault {
namespace {

// Splits a tab-separated line into at most `max` fields.
std::vector<std::string_view> fields(std::string_view line, std::size_t max) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < max) {
    auto tab = line.find('\t');
    if (tab == std::string_view::npos) break;
    out.push_back(line.substr(0, tab));
    line.remove_prefix(tab + 1);
  }
  out.push_back(line);
  return out;
}

long long number(std::string_view text, const std::string& where) {
  long long n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size())
    throw std::runtime_error(where + ": '" + std::string(text) + "' is not a number");
  return n;
}

std::ifstream open_or_throw(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  return in;
}

}  // namespace

void normalize(KeySet& keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
}

KeySet key_difference(const KeySet& a, const KeySet& b) {
  KeySet out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

KeySet key_intersection(const KeySet& a, const KeySet& b) {
  KeySet out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

ProducerRecords read_producer_logs(const std::vector<std::string>& paths) {
  ProducerRecords r;
  for (const std::string& path : paths) {
    std::ifstream in = open_or_throw(path);
    for (std::string line; std::getline(in, line);) {
      auto f = fields(line, 4);
      if (f.size() != 4 || f[0].size() != 1)
        throw std::runtime_error(path + ": bad line '" + line + "'");
      int producer = static_cast<int>(number(f[1], path));
      long long a = number(f[2], path), b = number(f[3], path);
      if (f[0] == "T") {
        if (a && (!r.first_insert_ms || a < r.first_insert_ms)) r.first_insert_ms = a;
        r.last_commit_ms = std::max(r.last_commit_ms, b);
        continue;
      }
      KeySet* into = f[0] == "C"   ? &r.committed
                     : f[0] == "R" ? &r.rolled_back
                     : f[0] == "L" ? &r.lost
                     : f[0] == "D" ? &r.in_doubt
                     : f[0] == "E" ? &r.failed
                                   : nullptr;
      if (!into) throw std::runtime_error(path + ": unknown verdict in '" + line + "'");
      for (long long s = a; s <= b; ++s) into->push_back(pack_key(producer, s));
    }
  }
  for (KeySet* k : {&r.committed, &r.rolled_back, &r.lost, &r.in_doubt, &r.failed}) normalize(*k);
  return r;
}

ConsumerRecords read_consumer_log(const std::string& path) {
  ConsumerRecords r;
  std::ifstream in = open_or_throw(path);
  for (std::string line; std::getline(in, line);) {
    auto f = fields(line, 5);
    if (f[0] == "E" && f.size() == 4) {
      int inc = static_cast<int>(number(f[1], path));
      std::int64_t batch = number(f[2], path);
      auto key = pack_key(f[3]);
      if (!key) {
        r.bad_keys.emplace_back(f[3]);
        continue;
      }
      r.deliveries.push_back({*key, batch, inc});
      r.batch_incarnations[batch].insert(inc);
    } else if (f[0] == "B" && f.size() == 5) {
      int inc = static_cast<int>(number(f[1], path));
      r.batch_incarnations[number(f[2], path)].insert(inc);
      if (number(f[3], path) > 0) r.last_batch_ms = std::max(r.last_batch_ms, number(f[4], path));
    } else {
      throw std::runtime_error(path + ": bad line '" + line + "'");
    }
  }
  std::sort(r.deliveries.begin(), r.deliveries.end());
  return r;
}

FaultRecords read_fault_log(const std::string& path) {
  FaultRecords r;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    auto f = fields(line, 3);
    if (f.size() != 3) throw std::runtime_error(path + ": bad line '" + line + "'");
    if (f[0] == "postgres") {
      ++r.postgres_restarts;
      continue;
    }
    ++r.kills_by_role[std::string(f[0])];
    r.killed_incarnations[std::string(f[1])].insert(static_cast<int>(number(f[2], path)));
  }
  return r;
}

}  // namespace pgqpp::fault
