// SPDX-License-Identifier: PostgreSQL
// pgqpp_fault: the harness of the fault-injection test and the load run.
//
//   pgqpp_fault ROLE --option value ...
//
// Roles: produce, consume, exactly-once, schedule, check (see roles.hpp and
// tests/integration/fault_injection.sh, bench/load.sh). Exit codes: 0 ok,
// 1 the check found a fault or a role failed, 2 bad usage.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "roles.hpp"

int main(int argc, char** argv) {
  using namespace pgqpp::fault;
  struct Role {
    const char* name;
    int (*run)(const Args&);
  };
  static const Role roles[] = {{"produce", run_producer},
                               {"consume", run_consumer},
                               {"exactly-once", run_exactly_once},
                               {"schedule", run_schedule},
                               {"check", run_check}};
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: %s produce|consume|exactly-once|schedule|check --option value ...\n",
                 argv[0]);
    return 2;
  }
  for (const Role& role : roles) {
    if (std::strcmp(argv[1], role.name) != 0) continue;
    try {
      return role.run(Args(argc, argv, 2));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "pgqpp_fault %s: %s\n", argv[1], e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "pgqpp_fault: unknown role '%s'\n", argv[1]);
  return 2;
}
