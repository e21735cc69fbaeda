// SPDX-License-Identifier: PostgreSQL
#include "duplicates.hpp"

namespace pgqpp::fault {

Duplicates find_duplicates(const std::vector<Delivery>& d, const std::set<int>& killed) {
  Duplicates out;
  for (std::size_t i = 0; i < d.size();) {
    std::size_t j = i + 1;
    while (j < d.size() && d[j].key == d[i].key) ++j;
    for (std::size_t k = i + 1; k < j; ++k) {
      ++out.extra;
      if (d[k].batch != d[i].batch) out.other_batch.push_back(d[i].key);
      if (d[k].incarnation == d[k - 1].incarnation) out.same_process.push_back(d[i].key);
      if (!killed.count(d[k - 1].incarnation)) out.not_killed.push_back(d[i].key);
    }
    i = j;
  }
  for (KeySet* k : {&out.other_batch, &out.same_process, &out.not_killed}) normalize(*k);
  return out;
}

}  // namespace pgqpp::fault
