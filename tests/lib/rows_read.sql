-- SPDX-License-Identifier: PostgreSQL
-- rows_read(sql): the rows that the scan nodes on pgq.event_* read when
-- `sql` runs, from EXPLAIN ANALYZE (PostgreSQL 18 reports Actual Rows per
-- loop with decimals: rounded). Created in the test's database by
-- tests/cluster/long_tx_scan_test.cpp and bounded_batches_test.cpp.
create function rows_read(i_sql text) returns bigint language plpgsql as $$
declare
  plan jsonb;
begin
  execute 'explain (analyze, format json) ' || i_sql into plan;
  return (select coalesce(round(sum((n->>'Actual Rows')::numeric * coalesce((n->>'Actual Loops')::numeric, 1)
                                    + coalesce((n->>'Rows Removed by Filter')::numeric, 0)
                                    + coalesce((n->>'Rows Removed by Index Recheck')::numeric, 0))), 0)
            from jsonb_path_query(plan, 'strict $.**') n
           where jsonb_typeof(n) = 'object' and n->>'Relation Name' like 'event\_%');
end $$;
