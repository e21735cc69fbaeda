// SPDX-License-Identifier: PostgreSQL
// Role `schedule`: prints the seeded schedule of faults for one run (see
// fault_schedule.hpp), one line per fault, in time order:
//   <at ms>\tkill\t<target>\t<down ms>          SIGKILL the target, start it again after <down ms>
//   <at ms>\trestart-postgres\t-\t<down ms>     immediate shutdown, start again after <down ms>
// Options: --seed, --seconds, --targets a,b,c, and optionally --min-gap-ms
// (2000), --max-gap-ms (6000), --max-down-ms (1500).
#include <cstdio>
#include <sstream>

#include "fault_schedule.hpp"
#include "roles.hpp"

namespace pgqpp::fault {

int run_schedule(const Args& args) {
  ScheduleSpec spec;
  spec.seed = static_cast<std::uint64_t>(args.integer("seed"));
  std::stringstream targets(args.text("targets"));
  for (std::string t; std::getline(targets, t, ',');)
    if (!t.empty()) spec.targets.push_back(t);
  spec.total_ms = args.integer("seconds") * 1000;
  spec.min_gap_ms = args.integer("min-gap-ms", spec.min_gap_ms);
  spec.max_gap_ms = args.integer("max-gap-ms", spec.max_gap_ms);
  spec.max_down_ms = args.integer("max-down-ms", spec.max_down_ms);
  for (const PlannedFault& f : make_schedule(spec)) {
    if (f.target.empty())
      std::printf("%lld\trestart-postgres\t-\t%lld\n", static_cast<long long>(f.at_ms),
                  static_cast<long long>(f.down_ms));
    else
      std::printf("%lld\tkill\t%s\t%lld\n", static_cast<long long>(f.at_ms), f.target.c_str(),
                  static_cast<long long>(f.down_ms));
  }
  return 0;
}

}  // namespace pgqpp::fault
