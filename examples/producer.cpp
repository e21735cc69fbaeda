// SPDX-License-Identifier: PostgreSQL
// libpgqpp example: a producer.
//
//   example_producer CONNINFO QUEUE
//
// Records an order and its event in one transaction (both commit, or
// neither), then sends a thousand events through the bulk path.
// Expects a table `orders (id serial primary key, item text)`.
#include <pgqpp/pgqpp.hpp>

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s CONNINFO QUEUE\n", argv[0]);
    return 2;
  }
  try {
    pgqpp::Connection db(argv[1]);
    pgqpp::Producer producer(db, argv[2]);

    // The event is part of the business transaction.
    pgqpp::Transaction tx(db);
    pgqpp::Rows order = tx.exec("insert into orders (item) values ($1) returning id", {"book"});
    producer.insert(tx, {.type = "order_created", .data = std::string(order.value(0, 0))});
    tx.commit();

    // Many events in one round trip, in a transaction of their own.
    std::vector<pgqpp::NewEvent> events;
    for (int i = 0; i < 1000; ++i) events.push_back({.type = "tick", .data = std::to_string(i)});
    std::int64_t n = producer.insert_many(events);
    std::printf("inserted %lld events\n", static_cast<long long>(n + 1));
  } catch (const pgqpp::error& e) {
    std::fprintf(stderr, "producer: %s (SQLSTATE %s)\n", e.what(), e.sqlstate().c_str());
    return 1;
  }
}
