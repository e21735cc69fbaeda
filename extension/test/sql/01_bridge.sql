-- SPDX-License-Identifier: PostgreSQL
-- The error bridge, proven inside a backend with the test-only module.
\set SHOW_CONTEXT never
create function bridge_test_spi_error(text) returns void
    as '$libdir/pgqpp_bridge_test', 'bridge_test_spi_error' language c strict;
create function bridge_test_cpp_error(text) returns void
    as '$libdir/pgqpp_bridge_test', 'bridge_test_cpp_error' language c strict;
create function bridge_test_throw_in_pg_call() returns void
    as '$libdir/pgqpp_bridge_test', 'bridge_test_throw_in_pg_call' language c;
create function bridge_test_destructors() returns int
    as '$libdir/pgqpp_bridge_test', 'bridge_test_destructors' language c;

-- An error raised inside SPI keeps its SQLSTATE, message and detail.
select try($$select bridge_test_spi_error('select 1/0')$$);
select try($$select bridge_test_spi_error('select * from no_such_table')$$);
select try($$select bridge_test_spi_error('do $d$ begin raise exception ''custom'' using errcode = ''P0042'', detail = ''d1'', hint = ''h1''; end $d$')$$);
-- C++ exceptions become SQL errors with our SQLSTATEs.
select try($$select bridge_test_cpp_error('own')$$);
select try($$select bridge_test_cpp_error('std')$$);
select try($$select bridge_test_cpp_error('alloc')$$);
select try($$select bridge_test_cpp_error('other')$$);
-- A C++ exception thrown inside pg_call leaves PostgreSQL's error stack
-- intact: a later error in the same call is an ordinary SQL error.
select try($$select bridge_test_throw_in_pg_call()$$);
select try($$select bridge_test_throw_in_pg_call()$$);
-- Every one of those unwound its C++ frame: seven destructor runs.
select bridge_test_destructors();
-- The session is healthy afterwards, also inside a transaction with a savepoint.
begin;
savepoint s;
select try($$select bridge_test_spi_error('select 1/0')$$);
rollback to savepoint s;
select 1 as still_fine;
commit;
-- Uncaught, the error reaches the client as PostgreSQL produced it.
select bridge_test_spi_error('select 1/0');
select bridge_test_cpp_error('own');
