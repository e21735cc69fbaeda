// SPDX-License-Identifier: PostgreSQL
// libpgqpp example: a consumer.
//
//   example_consumer CONNINFO QUEUE CONSUMER
//
// Prints every event; events of type "later" go back to the queue for 30 s.
// SIGINT or SIGTERM stops it after the current batch, a second one at once.
#include <pgqpp/pgqpp.hpp>

#include <chrono>
#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s CONNINFO QUEUE CONSUMER\n", argv[0]);
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  pgqpp::ConsumerOptions options;
  options.queue = argv[2];
  options.consumer = argv[3];
  options.stop.stop_on_signals();
  options.on_connection_lost = [](const pgqpp::error& e) {
    std::fprintf(stderr, "connection lost (%s); reconnecting\n", e.what());
  };
  try {
    pgqpp::Consumer consumer(argv[1], options);
    consumer.run([](const pgqpp::Event& ev) {
      if (ev.type == "later") return pgqpp::Tag::retry_after(std::chrono::seconds(30));
      std::printf("event %lld %s %s\n", static_cast<long long>(ev.id),
                  std::string(ev.type.value_or("")).c_str(),
                  std::string(ev.data.value_or("")).c_str());
      return pgqpp::Tag::done();
    });
  } catch (const pgqpp::error& e) {
    std::fprintf(stderr, "consumer: %s (SQLSTATE %s)\n", e.what(), e.sqlstate().c_str());
    return 1;
  }
}
