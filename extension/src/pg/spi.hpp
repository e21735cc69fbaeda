// SPDX-License-Identifier: PostgreSQL
// Thin helpers over SPI, every PostgreSQL call made through pg_call() so the
// C++ frames that use them may own objects with destructors.
#pragma once

#include <initializer_list>
#include <vector>

#include "pg/bridge.hpp"

namespace pgqpp::ext::spi {

/// An SPI connection for the lifetime of one SQL function call. The
/// destructor disconnects on normal exit only: when an exception is unwinding,
/// the error it becomes aborts the (sub)transaction, and PostgreSQL's abort
/// processing releases the connection.
class Session {
 public:
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

 private:
  int exceptions_at_entry_;
};

/// How a kept plan is chosen: `automatic` lets PostgreSQL's plan cache pick
/// between re-planning with each call's values and one generic plan;
/// `generic` always uses the generic plan. Use `generic` for statements run
/// very often whose best plan does not depend on the values (for example a
/// primary-key lookup by `= any($1)`, which the plan cache would otherwise
/// re-plan on every call, because the estimate for a one-element array beats
/// the generic one). `custom` plans every call for its values, keeping only
/// the parsed statement: for statements whose tables grow between calls
/// without an ANALYZE to re-plan them (a generic plan made while a table was
/// small keeps its sequential scan).
enum class PlanMode { automatic, generic, custom };

/// Returns the plan cached in `slot`, preparing and keeping it on first use.
/// Saved plans are re-planned by PostgreSQL when the tables they use change.
SPIPlanPtr prepare(SPIPlanPtr& slot, const char* sql, std::initializer_list<Oid> arg_types,
                   PlanMode mode = PlanMode::automatic);

/// The same, for argument types known only at run time (trigger expressions).
SPIPlanPtr prepare(SPIPlanPtr& slot, const char* sql, const std::vector<Oid>& arg_types,
                   PlanMode mode = PlanMode::automatic);

/// Opens an SPI connection from code that already runs inside pg_call()
/// (PostgreSQL style: no C++ objects with destructors in the frame); the
/// caller ends it with SPI_finish(). Raises a PostgreSQL error when SPI
/// cannot connect. C++ code uses Session instead.
void connect_in_pg_call();

/// Runs a prepared plan; `nulls` uses SPI's ' ' / 'n' convention (or nullptr
/// for no NULLs). Returns the number of rows processed.
uint64 execute(SPIPlanPtr plan, const Datum* values, const char* nulls, bool read_only,
               long limit = 0);

/// Runs a one-off statement with no parameters. Returns rows processed.
uint64 execute(const char* sql, bool read_only, long limit = 0);

/// Runs a one-off statement, sending its rows to `dest` instead of keeping them.
void execute_into(const char* sql, DestReceiver* dest);

/// Column `col` (1-based) of result row `row`; *isnull reports NULL.
Datum value(uint64 row, int col, bool* isnull);

/// Like value(), for columns that are never NULL.
Datum value(uint64 row, int col);

/// Column `col` of row `row` as text, copied into the caller's (upper)
/// memory context so it survives the end of the session; nullptr for NULL.
char* text_value(uint64 row, int col);

/// Copies a by-reference datum out of SPI's memory into the upper context.
Datum transfer(Datum value, bool by_value, int len);

}  // namespace pgqpp::ext::spi
