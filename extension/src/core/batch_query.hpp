// SPDX-License-Identifier: PostgreSQL
// Which rows of which event tables make up a batch, and the SQL that reads
// them. Pure C++: the extension feeds it the two ticks' snapshots and the
// queue's rotation state, and runs the SQL it returns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/snapshot.hpp"

namespace pgqpp::ext::core {

/// The batch (last, cur] as index-friendly predicates on ev_txid:
/// an event belongs to it exactly when its transaction is visible in `cur`
/// and not in `last`. That set is
///   - ids in [range_lo, range_hi) except `exclude` (still running at cur),
///   - plus `listed`: transactions running at `last` that finished by `cur`.
/// The range starts at last.xmax, so a long transaction that began long ago
/// adds one listed id, never a scan from its id onward.
struct BatchFilter {
  Txid range_lo = 0;
  Txid range_hi = 0;
  std::vector<Txid> exclude;
  std::vector<Txid> listed;

  /// The same decision as the SQL, for tests.
  bool matches(Txid txid) const;
};

BatchFilter batch_filter(const Snapshot& last, const Snapshot& cur);

/// A queue's table rotation state, as in pgq.queue.
struct Rotation {
  std::string data_pfx;  // e.g. "pgq.event_1"
  int ntables = 3;
  int cur_table = 0;
  Txid switch_step1 = 0;
  std::optional<Txid> switch_step2;  // NULL between rotation steps 1 and 2
};

/// The event tables (unquoted "schema.name") that can hold the batch's events:
/// the previous table, the current one, or both while a rotation is recent.
std::vector<std::string> batch_tables(const Rotation& rotation, const Snapshot& last,
                                      const Snapshot& cur);

/// Quotes "schema.name" (or "name", meaning schema public) as an identifier
/// pair, doubling embedded quotes: the rule of pgq.quote_fqname().
std::string quote_fqname(const std::string& name);

/// A bounded batch's slice of its tick interval: the events with ev_id in
/// (after, upto]. Unset bounds are open; an empty window is the whole batch.
struct IdWindow {
  std::optional<std::int64_t> after;
  std::optional<std::int64_t> upto;
  bool empty() const { return !after && !upto; }
};

/// The SELECT returning the batch's events in ev_id order, with the columns of
/// pgq.get_batch_events(). `owner` is the subscription id: retried events
/// (ev_owner set) appear only to their owner. `extra_where`, when non-empty,
/// filters the events further (get_batch_cursor's i_extra_where).
/// With a non-empty `window`, only the events in it, read through an index on
/// ev_id: the ev_txid predicates are written so that no index on ev_txid can
/// serve them, since the window holds far fewer rows than the interval.
std::string batch_events_sql(const std::vector<std::string>& tables, const BatchFilter& filter,
                             int owner, const std::string& extra_where = {},
                             const IdWindow& window = {});

/// The same SELECT as batch_events_sql for a batch without window or extra
/// condition, with the batch's txid bounds as parameters instead of
/// literals: $1 range_lo, $2 range_hi (int8), $3 exclude, $4 listed (int8[]),
/// $5 owner (int4). Its text depends only on `tables`, so one prepared plan
/// serves every batch of a queue between rotations; both parts are always
/// there (an empty range or array selects nothing).
std::string batch_events_param_sql(const std::vector<std::string>& tables);

/// The ev_id of every event of the batch (in `window` when not empty), in no
/// particular order: for counting and for finding the ends of windows.
std::string batch_ids_sql(const std::vector<std::string>& tables, const BatchFilter& filter,
                          int owner, const IdWindow& window = {});

}  // namespace pgqpp::ext::core
