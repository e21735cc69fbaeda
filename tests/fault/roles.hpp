// SPDX-License-Identifier: PostgreSQL
// The roles of the fault harness, one per file; main.cpp picks one by name.
#pragma once
#include "args.hpp"

namespace pgqpp::fault {

/// `produce`: one producer (producer.cpp).
int run_producer(const Args& args);
/// `consume`: one at-least-once consumer that logs what it got (consumer.cpp).
int run_consumer(const Args& args);
/// `exactly-once`: the exactly-once consumer writing a target table (exactly_once.cpp).
int run_exactly_once(const Args& args);
/// `schedule`: the seeded schedule of kills and the server restart (schedule.cpp).
int run_schedule(const Args& args);
/// `check`: the event-by-event verdict over every record (check.cpp).
int run_check(const Args& args);

}  // namespace pgqpp::fault
