// SPDX-License-Identifier: PostgreSQL
// libpgqpp example: an exactly-once consumer.
//
//   example_exactly_once_consumer SOURCE_CONNINFO TARGET_CONNINFO QUEUE CONSUMER
//
// Copies every event into table `events_copy` of the target database. Each
// batch is written in one target transaction together with the consumer's
// progress, so a crash at any moment neither loses nor repeats an event
// (the primary key would reject a repeat). SIGINT/SIGTERM stop it.
#include <pgqpp/pgqpp.hpp>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s SOURCE_CONNINFO TARGET_CONNINFO QUEUE CONSUMER\n", argv[0]);
    return 2;
  }
  pgqpp::ExactlyOnceOptions options;
  options.consumer.queue = argv[3];
  options.consumer.consumer = argv[4];
  options.consumer.stop.stop_on_signals();
  try {
    pgqpp::Connection(argv[2]).exec(
        "create table if not exists events_copy (ev_id bigint primary key, type text, data text)");
    pgqpp::ExactlyOnceConsumer consumer(argv[1], argv[2], options);
    consumer.run([](const pgqpp::Event& ev, pgqpp::Transaction& target) {
      target.exec("insert into events_copy (ev_id, type, data) values ($1, $2, $3)",
                  {ev.id, ev.type, ev.data});
    });
  } catch (const pgqpp::error& e) {
    std::fprintf(stderr, "exactly_once_consumer: %s (SQLSTATE %s)\n", e.what(),
                 e.sqlstate().c_str());
    return 1;
  }
}
