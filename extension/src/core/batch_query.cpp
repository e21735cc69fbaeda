// SPDX-License-Identifier: PostgreSQL
// Batch predicates, tables and SQL: see batch_query.hpp.
#include "core/batch_query.hpp"

#include <algorithm>

namespace pgqpp::ext::core {

bool BatchFilter::matches(Txid txid) const {
  if (std::binary_search(listed.begin(), listed.end(), txid)) return true;
  return txid >= range_lo && txid < range_hi &&
         !std::binary_search(exclude.begin(), exclude.end(), txid);
}

BatchFilter batch_filter(const Snapshot& last, const Snapshot& cur) {
  BatchFilter f;
  // Everything below last.xmax was decided at `last` except last.xip; above
  // it, cur decides: visible below cur.xmax unless still in progress.
  f.range_lo = last.xmax;
  f.range_hi = std::max(cur.xmax, last.xmax);
  for (Txid id : cur.xip)
    if (id >= f.range_lo && id < f.range_hi) f.exclude.push_back(id);
  for (Txid id : last.xip)
    if (cur.sees(id)) f.listed.push_back(id);
  return f;
}

std::vector<std::string> batch_tables(const Rotation& rotation, const Snapshot& last,
                                      const Snapshot& cur) {
  bool use_prev = true;
  bool use_cur = true;
  if (cur.xmax < rotation.switch_step1) {
    use_cur = false;  // the whole batch predates the last switch
  } else if (rotation.switch_step2 && last.xmin > *rotation.switch_step2) {
    use_prev = false;  // every writer of the batch saw the switch
  }
  std::vector<std::string> tables;
  if (use_prev) {
    int prev = rotation.cur_table - 1;
    if (prev < 0) prev = rotation.ntables - 1;
    tables.push_back(rotation.data_pfx + "_" + std::to_string(prev));
  }
  if (use_cur) tables.push_back(rotation.data_pfx + "_" + std::to_string(rotation.cur_table));
  return tables;
}

static std::string quote_ident(const std::string& ident) {
  std::string out = "\"";
  for (char c : ident) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string quote_fqname(const std::string& name) {
  auto dot = name.find('.');
  if (dot == std::string::npos) return quote_ident("public") + "." + quote_ident(name);
  return quote_ident(name.substr(0, dot)) + "." + quote_ident(name.substr(dot + 1));
}

static std::string id_array(const std::vector<Txid>& ids) {
  std::string out = "'{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "}'::bigint[]";
}

static const char kColumns[] =
    "select ev_id, ev_time, ev_txid, ev_retry, ev_type, ev_data,"
    " ev_extra1, ev_extra2, ev_extra3, ev_extra4 from ";

// The txid predicates of a windowed part: on `ev.ev_txid + 0`, an
// expression no index matches, so that the planner reads the window through
// the ev_id index instead of the whole interval through the ev_txid one.
static std::string windowed_txid_cond(const BatchFilter& filter) {
  const std::string txid = "(ev.ev_txid + 0)";
  std::string cond;
  if (filter.range_lo < filter.range_hi) {
    cond = "(" + txid + " >= " + std::to_string(filter.range_lo) + " and " + txid + " < " +
           std::to_string(filter.range_hi);
    if (!filter.exclude.empty())
      cond += " and " + txid + " <> all(" + id_array(filter.exclude) + ")";
    cond += ")";
  }
  if (!filter.listed.empty()) {
    if (!cond.empty()) cond += " or ";
    cond += txid + " = any(" + id_array(filter.listed) + ")";
  }
  return cond.empty() ? "false" : "(" + cond + ")";
}

// The union of the batch's parts, selecting `columns` (ending in " from ").
static std::string batch_union(const std::string& columns, const std::vector<std::string>& tables,
                               const BatchFilter& filter, int owner, const IdWindow& window) {
  const std::string owner_cond =
      " and (ev.ev_owner is null or ev.ev_owner = " + std::to_string(owner) + ")";
  std::string sql;
  auto add_part = [&](const std::string& part) {
    if (!sql.empty()) sql += " union all ";
    sql += part;
  };
  for (const auto& table : tables) {
    const std::string from = columns + quote_fqname(table) + " ev where ";
    if (!window.empty()) {
      std::string bounds;
      if (window.after) bounds += "ev.ev_id > " + std::to_string(*window.after) + " and ";
      if (window.upto) bounds += "ev.ev_id <= " + std::to_string(*window.upto) + " and ";
      add_part(from + bounds + windowed_txid_cond(filter) + owner_cond);
      continue;
    }
    if (filter.range_lo < filter.range_hi) {
      std::string part = from + "ev.ev_txid >= " + std::to_string(filter.range_lo) +
                         " and ev.ev_txid < " + std::to_string(filter.range_hi);
      if (!filter.exclude.empty())
        part += " and ev.ev_txid <> all(" + id_array(filter.exclude) + ")";
      add_part(part + owner_cond);
    }
    if (!filter.listed.empty())
      add_part(from + "ev.ev_txid = any(" + id_array(filter.listed) + ")" + owner_cond);
  }
  if (sql.empty()) sql = columns + "pgq.event_template ev where false";
  return sql;
}

std::string batch_events_sql(const std::vector<std::string>& tables, const BatchFilter& filter,
                             int owner, const std::string& extra_where, const IdWindow& window) {
  std::string sql = batch_union(kColumns, tables, filter, owner, window);
  if (!extra_where.empty())
    return "select * from (" + sql + ") _evs where " + extra_where + " order by 1";
  return sql + " order by 1";
}

std::string batch_events_param_sql(const std::vector<std::string>& tables) {
  const std::string owner_cond = " and (ev.ev_owner is null or ev.ev_owner = $5)";
  std::string sql;
  for (const auto& table : tables) {
    const std::string from = std::string(kColumns) + quote_fqname(table) + " ev where ";
    if (!sql.empty()) sql += " union all ";
    sql += from + "ev.ev_txid >= $1 and ev.ev_txid < $2 and ev.ev_txid <> all($3)" + owner_cond;
    sql += " union all " + from + "ev.ev_txid = any($4)" + owner_cond;
  }
  if (sql.empty()) sql = std::string(kColumns) + "pgq.event_template ev where false";
  return sql + " order by 1";
}

std::string batch_ids_sql(const std::vector<std::string>& tables, const BatchFilter& filter,
                          int owner, const IdWindow& window) {
  return batch_union("select ev_id from ", tables, filter, owner, window);
}

}  // namespace pgqpp::ext::core
