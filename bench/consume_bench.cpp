// SPDX-License-Identifier: PostgreSQL
// One timed read of a queue batch, for bench/consume.sh. Prints one line:
//   <events> <seconds> <peak RSS in kB> <client CPU seconds>
//
//   pgqpp_bench_consume CONNINFO QUEUE MODE CONSUMER
//
// MODE:
//   raw-table   libpq alone: COPY (plain SELECT of the queue's event rows,
//               in ev_id order) TO STDOUT, rows counted and dropped
//   raw-batch   libpq alone: COPY of pgq.batch_event_sql() for CONSUMER's
//               open batch (the exact query libpgqpp streams); the batch is
//               left open, so every run reads the same one
//   raw-batch-binary  the same in COPY's binary format, as libpgqpp reads it
//   lib         libpgqpp Consumer (COPY stream) consumes CONSUMER's next
//               batch and finishes it
//   lib-cursor  the same through a cursor, FETCH 1000
// The library's handler sums the data lengths; the raw readers count the
// bytes of each row: both touch every event.
#include <libpq-fe.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "pgqpp/pgqpp.hpp"

namespace {

struct Count {
  long long events = 0;
  long long bytes = 0;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "pgqpp_bench_consume: %s\n", what.c_str());
  std::exit(1);
}

std::string scalar(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
    die(sql + ": " + PQerrorMessage(c));
  std::string v = PQgetvalue(r, 0, 0);
  PQclear(r);
  return v;
}

// COPY (sql) TO STDOUT, messages counted and dropped (a binary COPY sends
// its trailer as one more message; the header rides with the first row).
Count raw_copy(PGconn* c, const std::string& sql, bool binary) {
  std::string copy = "copy (" + sql + ") to stdout" + (binary ? " (format binary)" : "");
  PGresult* r = PQexec(c, copy.c_str());
  if (PQresultStatus(r) != PGRES_COPY_OUT) die(std::string("copy: ") + PQerrorMessage(c));
  PQclear(r);
  Count n;
  char* buf = nullptr;
  for (int len; (len = PQgetCopyData(c, &buf, 0)) > 0; PQfreemem(buf)) {
    ++n.events;
    n.bytes += len;
  }
  while ((r = PQgetResult(c)) != nullptr) {
    if (PQresultStatus(r) != PGRES_COMMAND_OK) die(std::string("copy end: ") + PQerrorMessage(c));
    PQclear(r);
  }
  return n;
}

Count raw(const std::string& conninfo, const std::string& queue, const std::string& mode,
          const std::string& consumer) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  if (PQstatus(c) != CONNECTION_OK) die(PQerrorMessage(c));
  std::string sql;
  if (mode == "raw-batch" || mode == "raw-batch-binary") {
    std::string batch = scalar(c, "select pgq.next_batch('" + queue + "', '" + consumer + "')");
    sql = scalar(c, "select pgq.batch_event_sql(" + batch + ")");
  } else {
    std::string tables = scalar(
        c,
        "select string_agg(format('select ev_id, ev_time, ev_txid, ev_retry, ev_type, ev_data,"
        " ev_extra1, ev_extra2, ev_extra3, ev_extra4 from %s', t), ' union all ')"
        " from (select queue_data_pfx || '_' || n as t from pgq.queue,"
        " generate_series(0, queue_ntables - 1) n where queue_name = '" +
            queue + "') x");
    sql = "select * from (" + tables + ") e order by ev_id";
  }
  bool binary = mode == "raw-batch-binary";
  Count n = raw_copy(c, sql, binary);
  if (binary) n.events -= 1;  // the trailer (the header rides with the first row)
  PQfinish(c);
  return n;
}

Count lib(const std::string& conninfo, const std::string& queue, const std::string& consumer,
          int fetch_size) {
  pgqpp::ConsumerOptions o;
  o.queue = queue;
  o.consumer = consumer;
  o.fetch_size = fetch_size;
  o.register_consumer = false;  // registered before the events were produced
  o.stop_when_idle = true;
  Count n;
  pgqpp::Consumer c(conninfo, o);
  c.run([&](const pgqpp::Event& ev) {
    ++n.events;
    n.bytes += static_cast<long long>(ev.data ? ev.data->size() : 0);
  });
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) die("usage: pgqpp_bench_consume CONNINFO QUEUE MODE CONSUMER (see the source)");
  std::string conninfo = argv[1], queue = argv[2], mode = argv[3], consumer = argv[4];
  auto start = std::chrono::steady_clock::now();
  Count n;
  try {
    if (mode.starts_with("raw-"))
      n = raw(conninfo, queue, mode, consumer);
    else if (mode == "lib")
      n = lib(conninfo, queue, consumer, 0);
    else if (mode == "lib-cursor")
      n = lib(conninfo, queue, consumer, 1000);
    else
      die("unknown mode " + mode);
  } catch (const pgqpp::error& e) {
    die(e.what());
  }
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  double cpu =
      ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  std::printf("%lld %.6f %ld %.3f\n", n.events, took.count(), ru.ru_maxrss, cpu);
  return n.events > 0 ? 0 : 1;
}
