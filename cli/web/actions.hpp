// SPDX-License-Identifier: PostgreSQL
// The console's actions (`pgqpp web --allow-actions`, POST /api/action/NAME):
// pause and resume a queue's ticker, move due retries, replay or purge a
// consumer's dead letters, unregister a consumer. Each takes its parameters
// from a JSON object and passes them to the database only as statement
// parameters. server.cpp adds the rules around them (token, CSRF, logging).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include <pgqpp/connection.hpp>

namespace pgqpp::cli::web {

/// What an action answered: the HTTP status and the JSON body, which holds
/// "error" when it failed and "result" (one line for people) when it worked.
struct ActionOutcome {
  int status = 200;
  nlohmann::json body;
};

/// The names of the actions: pause, resume, retry, replay, purge, unregister.
bool is_action(const std::string& name);

/// What the connected role lacks to run every action: a list of missing
/// privileges ("EXECUTE on pgq.set_queue_config(...)", ...), empty when it
/// may run them all. The console offers its actions only to such a role
/// (pgq_admin or the owner); a consumer's role (pgq_reader) is not one.
nlohmann::json missing_privileges(Connection& db);

/// Runs action `name` with `params` ({"queue", "consumer", "event_id" or
/// "all": true}, as the action needs). Checks the parameters (400), the
/// privileges (403), that the queue and consumer exist (404); a statement the
/// database refuses gives 409. Connection failures propagate.
ActionOutcome run_action(Connection& db, const std::string& name, const nlohmann::json& params);

}  // namespace pgqpp::cli::web
