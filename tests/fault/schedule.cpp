// Role `schedule`: the seeded schedule of faults for one run.
//
// Prints one line per fault, in time order:
//   <at ms>\tkill\t<target>\t<down ms>          SIGKILL the target, start it again after <down ms>
//   <at ms>\trestart-postgres\t-\t<down ms>     immediate shutdown, start again after <down ms>
// <at ms> counts from the start of production. Kills come every
// --min-gap-ms..--max-gap-ms; the first kills take every target once, in a
// seeded order, so every target dies at least once; the one server restart
// falls between 40 % and 60 % of --seconds. The same --seed gives the same
// schedule on every machine.
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "rng.hpp"
#include "roles.hpp"

namespace pgqpp::fault {
namespace {

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

int run_schedule(const Args& args) {
  Rng rng(static_cast<std::uint64_t>(args.integer("seed")), 1);
  std::vector<std::string> targets = split_commas(args.text("targets"));
  if (targets.empty()) throw std::runtime_error("--targets names no target");
  std::int64_t total_ms = args.integer("seconds") * 1000;
  std::int64_t min_gap = args.integer("min-gap-ms", 2000), max_gap = args.integer("max-gap-ms", 6000);
  std::int64_t max_down = args.integer("max-down-ms", 1500);
  // The first round: every target once, in a seeded order (Fisher-Yates).
  std::vector<std::string> first_round = targets;
  for (std::size_t i = first_round.size(); i > 1; --i)
    std::swap(first_round[i - 1], first_round[static_cast<std::size_t>(rng.between(0, static_cast<std::int64_t>(i) - 1))]);
  std::int64_t restart_at = rng.between(total_ms * 4 / 10, total_ms * 6 / 10);
  bool restarted = false;
  std::size_t kills = 0;
  for (std::int64_t t = rng.between(1000, 3000); t < total_ms - 3000;) {
    if (!restarted && t >= restart_at) {
      std::int64_t down = rng.between(300, 2000);
      std::printf("%lld\trestart-postgres\t-\t%lld\n", static_cast<long long>(t), static_cast<long long>(down));
      restarted = true;
      t += down + rng.between(min_gap, max_gap);
      continue;
    }
    const std::string& target = kills < first_round.size()
                                    ? first_round[kills]
                                    : targets[static_cast<std::size_t>(rng.between(0, static_cast<std::int64_t>(targets.size()) - 1))];
    std::int64_t down = rng.between(100, max_down);
    std::printf("%lld\tkill\t%s\t%lld\n", static_cast<long long>(t), target.c_str(), static_cast<long long>(down));
    ++kills;
    t += down + rng.between(min_gap, max_gap);
  }
  if (!restarted) throw std::runtime_error("--seconds is too short for the server restart");
  return 0;
}

}  // namespace pgqpp::fault
