// SPDX-License-Identifier: PostgreSQL
// The console's actions (actions.hpp).
#include "actions.hpp"

#include <pgqpp/error.hpp>
#include <pgqpp/transaction.hpp>

#include "common.hpp"
#include "pgq_lookup.hpp"
#include "retry_move.hpp"

namespace pgqpp::cli::web {

namespace {

// Every function the actions call, and the lock `retry` takes; constants,
// not request text.
constexpr const char* missing_sql =
    "select 'EXECUTE on ' || f from unnest(array["
    "  'pgq.set_queue_config(text,text,text)', 'pgq.maint_retry_events()',"
    "  'pgq.dead_letter_replay(text,text,bigint)', 'pgq.dead_letter_purge(text,text,bigint)',"
    "  'pgq.unregister_consumer(text,text)']) f"
    " where to_regprocedure(f) is null or not has_function_privilege(to_regprocedure(f), 'execute')"
    " union all select 'UPDATE on pgq.retry_queue'"
    " where not has_table_privilege('pgq.retry_queue', 'update')";

// A parameter that must be a non-empty string.
struct BadParams : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string text_param(const nlohmann::json& p, const char* key, bool required) {
  if (!p.contains(key) || p[key].is_null()) {
    if (required) throw BadParams(std::string("\"") + key + "\" is required");
    return "";
  }
  if (!p[key].is_string() || p[key].get<std::string>().empty())
    throw BadParams(std::string("\"") + key + "\" must be a non-empty string");
  return p[key].get<std::string>();
}

// replay and purge: one event ({"event_id": N}) or all ({"all": true}).
Param event_param(const nlohmann::json& p) {
  const bool all = p.contains("all") && p["all"] == true;
  const bool one = p.contains("event_id") && !p["event_id"].is_null();
  if (all == one) throw BadParams("give \"event_id\" (one dead letter) or \"all\": true");
  if (all) return Param(nullptr);
  if (!p["event_id"].is_number_integer() || p["event_id"].get<std::int64_t>() <= 0)
    throw BadParams("\"event_id\" must be a positive integer");
  return Param(p["event_id"].get<std::int64_t>());
}

ActionOutcome ok(const std::string& result, nlohmann::json extra = nlohmann::json::object()) {
  extra["result"] = result;
  return {200, extra};
}

ActionOutcome set_paused(Connection& db, const nlohmann::json& p, bool paused) {
  const std::string queue = text_param(p, "queue", true);
  require_queue(db, queue);
  db.exec("select pgq.set_queue_config($1, 'ticker_paused', $2)",
          {queue, std::string(paused ? "true" : "false")});
  return ok(std::string(paused ? "paused" : "resumed") + " the ticker of queue " + queue);
}

ActionOutcome retry(Connection& db, const nlohmann::json& p) {
  const std::string queue = text_param(p, "queue", true);
  const std::string consumer = text_param(p, "consumer", false);
  const RetryMove m = move_due_retries(db, queue, consumer);
  return ok("moved " + std::to_string(m.of_queue) + " due retry event" +
                (m.of_queue == 1 ? "" : "s") + " of queue " + queue +
                (consumer.empty() ? "" : " (consumer " + consumer + ")") + " back into the queue",
            {{"moved", m.of_queue}, {"moved_all_queues", m.all}});
}

ActionOutcome dead_letters(Connection& db, const nlohmann::json& p, bool replay) {
  const std::string queue = text_param(p, "queue", true);
  const std::string consumer = text_param(p, "consumer", true);
  const Param id = event_param(p);
  require_consumer(db, queue, consumer);
  const Param params[] = {Param(queue), Param(consumer), id};
  const std::string fn = replay ? "pgq.dead_letter_replay" : "pgq.dead_letter_purge";
  const long long n =
      std::stoll(std::string(db.exec("select " + fn + "($1, $2, $3)", params).value(0, 0)));
  if (n == 0 && p.contains("event_id"))
    return {404,
            {{"error", "event " + p["event_id"].dump() + " is not a dead letter of consumer " +
                           consumer + " on queue " + queue}}};
  return ok(std::string(replay ? "replayed " : "purged ") + std::to_string(n) + " dead letter" +
                (n == 1 ? "" : "s") + " of consumer " + consumer + " on queue " + queue,
            {{"count", n}});
}

ActionOutcome unregister(Connection& db, const nlohmann::json& p) {
  const std::string queue = text_param(p, "queue", true);
  const std::string consumer = text_param(p, "consumer", true);
  require_consumer(db, queue, consumer);
  db.exec("select pgq.unregister_consumer($1, $2)", {queue, consumer});
  return ok("unregistered consumer " + consumer + " from queue " + queue);
}

ActionOutcome dispatch(Connection& db, const std::string& name, const nlohmann::json& p) {
  if (name == "pause" || name == "resume") return set_paused(db, p, name == "pause");
  if (name == "retry") return retry(db, p);
  if (name == "replay" || name == "purge") return dead_letters(db, p, name == "replay");
  return unregister(db, p);
}

}  // namespace

bool is_action(const std::string& name) {
  return name == "pause" || name == "resume" || name == "retry" || name == "replay" ||
         name == "purge" || name == "unregister";
}

nlohmann::json missing_privileges(Connection& db) {
  nlohmann::json out = nlohmann::json::array();
  auto r = db.exec(missing_sql);
  for (std::size_t i = 0; i < r.size(); ++i) out.push_back(std::string(r.value(i, 0)));
  return out;
}

ActionOutcome run_action(Connection& db, const std::string& name, const nlohmann::json& params) {
  if (!is_action(name)) return {404, {{"error", "no action " + name}}};
  if (!params.is_object()) return {400, {{"error", "the body must be a JSON object"}}};
  try {
    const nlohmann::json missing = missing_privileges(db);
    if (!missing.empty())
      return {403,
              {{"error", "the database role may not run the console's actions (it lacks " +
                             missing[0].get<std::string>() + ")"},
               {"missing", missing}}};
    return dispatch(db, name, params);
  } catch (const BadParams& e) {
    return {400, {{"error", e.what()}}};
  } catch (const Failure& e) {
    return {404, {{"error", e.what()}}};
  } catch (const sql_error& e) {
    return {e.sqlstate() == "42501" ? 403 : 409, {{"error", e.what()}}};
  }
}

}  // namespace pgqpp::cli::web
