// SPDX-License-Identifier: PostgreSQL
// sqltriga's payloads, partial SQL statements as PgQ 3.5 writes them:
//
//   INSERT  (id,name) values ('1','x')
//   UPDATE  name='y' where id='1'
//   DELETE  id='1' and id2='2'
//
// Every value is a string literal (E'' when it holds a backslash), NULL is
// null (INSERT) or NULL (UPDATE); identifiers are quoted as
// quote_identifier() quotes them. Skipped columns (ignore=, _pgq_ev_*) are
// left out of INSERT and of UPDATE's SET; the key is always complete.
#pragma once

#include "triggers/trigger_call.hpp"

namespace pgqpp::ext::triggers {

void append_sql_insert(StringInfo buf, const TriggerCall& call);

/// Returns false when the UPDATE makes no event: it changed only skipped
/// columns. An UPDATE that changed nothing sets the first key column to
/// its own value, so that the consumer still sees the row was touched.
bool append_sql_update(StringInfo buf, const TriggerCall& call);

void append_sql_delete(StringInfo buf, const TriggerCall& call);

}  // namespace pgqpp::ext::triggers
