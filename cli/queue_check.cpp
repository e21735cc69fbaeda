// The queue and consumer checks (see queue_check.hpp). They read pgq.queue,
// pgq.consumer and pgq.subscription, which PgQ 3.5 and pgqpp let everyone read.
#include "queue_check.hpp"

#include <pgqpp/error.hpp>

#include "common.hpp"

namespace pgqpp::cli {

namespace {

// "undefined_table" / "invalid_schema_name": the database has no PgQ.
bool is_missing_pgq(const sql_error& e) { return e.sqlstate() == "42P01" || e.sqlstate() == "3F000"; }

Rows query_pgq(Connection& db, std::string_view sql, std::initializer_list<Param> params) {
  try {
    return db.exec(sql, params);
  } catch (const sql_error& e) {
    if (!is_missing_pgq(e)) throw;
    std::string dbname(db.exec("select current_database()").value(0, 0));
    throw Failure("database " + dbname +
                  " has no PgQ (install it: create extension pgqpp; or check --dsn)");
  }
}

}  // namespace

void require_queue(Connection& db, const std::string& queue) {
  Rows r = query_pgq(db, "select current_database(), exists (select 1 from pgq.queue where queue_name = $1)",
                     {queue});
  if (r.value(0, 1) != "t")
    throw Failure("queue " + queue + " does not exist in database " + std::string(r.value(0, 0)) +
                  " (create it: pgqpp create-queue " + queue + ", or select pgq.create_queue('" +
                  queue + "'))");
}

void require_consumer(Connection& db, const std::string& queue, const std::string& consumer) {
  Rows r = query_pgq(db,
                     "select 1 from pgq.subscription s join pgq.queue q on q.queue_id = s.sub_queue "
                     "join pgq.consumer c on c.co_id = s.sub_consumer "
                     "where q.queue_name = $1 and c.co_name = $2",
                     {queue, consumer});
  if (r.size() == 0)
    throw Failure("consumer " + consumer + " is not registered on queue " + queue +
                  " (register it: pgqpp register " + queue + " " + consumer +
                  "; or leave out --consumer for a temporary one)");
}

}  // namespace pgqpp::cli
