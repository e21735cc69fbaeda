// SPDX-License-Identifier: PostgreSQL
// One consumer process of bench/scale.sh: reads its consumer's batches until
// none is ready, calling a handler that sleeps SLEEP_US per event (the cost
// of a slow handler: a call elsewhere), and prints one line:
//   <events> <start> <end>
// start and end in seconds since the Unix epoch: after connecting (and
// registering, a no-op when registered) and after the last batch, so that
// the script can time several processes from the first start to the last
// end without counting process start-up and connection set-up.
//
//   pgqpp_bench_scale CONNINFO QUEUE CONSUMER MODE ARG SLEEP_US
//
// MODE:
//   keyed N     KeyedConsumer with N workers, key = ev_extra1
//   coop NAME   Consumer as subconsumer NAME of CONSUMER (pgq_coop)
//   plain -     Consumer (the fan-out runs: SLEEP_US 0)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <thread>

#include "pgqpp/pgqpp.hpp"

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "pgqpp_bench_scale: %s\n", what.c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7)
    die("usage: pgqpp_bench_scale CONNINFO QUEUE CONSUMER keyed|coop|plain ARG SLEEP_US");
  const std::string conninfo = argv[1], mode = argv[4], arg = argv[5];
  const auto cost = std::chrono::microseconds(std::atol(argv[6]));
  pgqpp::ConsumerOptions options;
  options.queue = argv[2];
  options.consumer = argv[3];
  options.stop_when_idle = true;
  auto handle = [cost](const pgqpp::Event&) {
    if (cost.count() > 0) std::this_thread::sleep_for(cost);
  };
  auto now = [] {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  try {
    double t0 = 0;
    long long events = 0;
    if (mode == "keyed") {
      pgqpp::KeyedOptions keyed;
      keyed.workers = std::atoi(arg.c_str());
      keyed.key = [](const pgqpp::Event& ev) { return std::string(ev.extra1.value_or("")); };
      pgqpp::KeyedConsumer c(conninfo, options, keyed);
      c.register_consumer();
      t0 = now();
      c.run(handle);
      events = c.events_seen();
    } else if (mode == "coop" || mode == "plain") {
      if (mode == "coop") options.subconsumer = arg;
      pgqpp::Consumer c(conninfo, options);
      c.register_consumer();
      t0 = now();
      c.run(handle);
      events = c.events_seen();
    } else {
      die("unknown mode " + mode);
    }
    std::printf("%lld %.6f %.6f\n", events, t0, now());
  } catch (const std::exception& e) {
    die(e.what());
  }
  return 0;
}
