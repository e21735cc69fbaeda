// SPDX-License-Identifier: PostgreSQL
// Role `exactly-once`: an ExactlyOnceConsumer that applies every batch to
// table --target-table of the database at --target-conninfo.
//
// Each batch becomes one INSERT of (key, batch id, ev_id) rows, in the
// target transaction that also records the batch as applied. The table has
// no unique key on purpose: the check counts each key, so a batch applied
// twice shows up instead of being rejected. --log gets one line per batch,
// "B\t<incarnation>\t<batch id>\t<events>\t<epoch ms>", for the load run's
// timing. --commit-delay-ms waits that long after the target's commit and
// before the queue's finish, widening the window in which a kill leaves a
// batch applied but not finished (it must then only be finished, not
// applied again).
#include <cstdio>
#include <optional>
#include <string>
#include <thread>

#include <pgqpp/pgqpp.hpp>

#include "consumer_config.hpp"
#include "log_file.hpp"
#include "roles.hpp"

namespace pgqpp::fault {
namespace {

// Appends `text` to a PostgreSQL array literal, quoted.
void append_element(std::string& array, std::string_view text) {
  array += array.size() > 1 ? ",\"" : "\"";
  for (char ch : text) {
    if (ch == '"' || ch == '\\') array += '\\';
    array += ch;
  }
  array += '"';
}

}  // namespace

int run_exactly_once(const Args& args) {
  ExactlyOnceOptions options;
  options.consumer = consumer_options(args);
  std::string source = args.text("conninfo"), target = args.text("target-conninfo");
  std::string table = args.text("target-table"), inc = args.text("incarnation");
  LogFile log(args.text("log"));
  std::optional<ExactlyOnceConsumer> consumer;
  std::int64_t applied = 0;
  auto commit_delay = std::chrono::milliseconds(args.integer("commit-delay-ms", 0));
  options.on_step = [commit_delay](ExactlyOnceStep step, std::int64_t) {
    if (step == ExactlyOnceStep::after_commit) std::this_thread::sleep_for(commit_delay);
  };
  auto handle = [&](Batch& batch, Transaction& tx) {
    std::string keys = "{", ids = "{";
    std::int64_t n = 0;
    for (const Event& ev : batch) {
      append_element(keys, ev.data ? *ev.data : std::string_view("(null)"));
      ids += (n ? "," : "") + std::to_string(ev.id);
      ++n;
    }
    keys += "}", ids += "}";
    if (batch.interrupted()) return;
    tx.exec("insert into " + table +
                " (key, batch_id, ev_id) select k, $3, i from unnest($1::text[], $2::bigint[]) as "
                "u(k, i)",
            {keys, ids, batch.id()});
    log.append("B\t" + inc + "\t" + std::to_string(batch.id()) + "\t" + std::to_string(n) + "\t" +
               std::to_string(epoch_ms()) + "\n");
    applied += n;
  };
  run_with_first_connect_retry(
      [&] {
        consumer.emplace(source, target, options);
        consumer->run_batches(handle);
      },
      [] { return false; });  // applying a batch again is what exactly-once guards against
  std::printf("exactly-once consumer %s incarnation %s: %lld events applied\n",
              options.consumer.consumer.c_str(), inc.c_str(), static_cast<long long>(applied));
  return 0;
}

}  // namespace pgqpp::fault
