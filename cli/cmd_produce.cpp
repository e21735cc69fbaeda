// `pgqpp produce QUEUE`: events from standard input into a queue, through
// libpgqpp's bulk insert (pgq.insert_events on pgqpp, pgq.insert_event per
// row on PgQ 3.5), --batch-size events per transaction.
//
// Input is one event per line (the line is ev_data), or with --json one JSON
// object per line (see event_input.hpp). A malformed line stops the run: by
// default every line before it is inserted (committed) and nothing from it
// on, so the rest can be sent again from that line; with --atomic the whole
// input is one transaction and nothing is inserted.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <vector>

#include <pgqpp/error.hpp>
#include <pgqpp/producer.hpp>
#include <pgqpp/transaction.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "event_input.hpp"
#include "line_reader.hpp"
#include "number_format.hpp"
#include "pgq_lookup.hpp"
#include "progress_meter.hpp"

namespace pgqpp::cli {

namespace {

struct ProduceOptions {
  ConnectOptions connect;
  std::string queue;
  std::string type = "event";
  bool json = false;
  std::size_t batch_size = 1000;
  bool atomic = false;
};

// Sends the pending events: in the one transaction with --atomic, else in
// a transaction of their own. Returns how many were sent.
long long flush(Producer& producer, Transaction* atomic_tx, std::vector<NewEvent>& pending) {
  if (pending.empty()) return 0;
  long long n =
      atomic_tx ? producer.insert_many(*atomic_tx, pending) : producer.insert_many(pending);
  pending.clear();
  return n;
}

// What a malformed line means for the events before it, for the message.
std::string kept_before(long long line, long long sent, bool atomic) {
  if (atomic) return "nothing was inserted (--atomic)";
  return "the " + group_digits(sent) + " events of lines 1-" + std::to_string(line - 1) +
         " were inserted; resend from line " + std::to_string(line) + ", e.g. tail -n +" +
         std::to_string(line);
}

int produce(const ProduceOptions& o) {
  Connection db = connect(o.connect);
  require_queue(db, o.queue);
  if (isatty(STDIN_FILENO))
    std::fprintf(
        stderr, "pgqpp produce: reading events from the terminal, one per line; end with Ctrl-D\n");

  Producer producer(db, o.queue);
  std::unique_ptr<Transaction> atomic_tx;
  if (o.atomic) atomic_tx = std::make_unique<Transaction>(db);
  std::vector<NewEvent> pending;
  pending.reserve(o.batch_size);
  long long sent = 0;  // committed, or written into the atomic transaction
  ProgressMeter progress;
  LineReader input(stdin);
  std::string_view line;
  try {
    while (input.next(line)) {
      if (!o.json) {
        pending.push_back(NewEvent{.type = o.type, .data = std::string(line)});
      } else {
        std::optional<NewEvent> event;
        try {
          event = parse_json_event(line, o.type);
        } catch (const BadInput& e) {
          long long number = input.line_number();
          if (!o.atomic) sent += flush(producer, nullptr, pending);
          progress.clear();
          throw Failure("line " + std::to_string(number) + ": " + e.what() + "; " +
                        kept_before(number, sent, o.atomic));
        }
        if (!event) continue;
        pending.push_back(std::move(*event));
      }
      if (pending.size() >= o.batch_size) {
        sent += flush(producer, atomic_tx.get(), pending);
        progress.update(sent);
      }
    }
    sent += flush(producer, atomic_tx.get(), pending);
    if (atomic_tx) atomic_tx->commit();
  } catch (const error& e) {
    progress.clear();
    std::string kept = o.atomic ? "nothing was inserted (--atomic)"
                                : group_digits(sent) + " events were inserted before it";
    throw Failure(std::string(e.what()) + " (" + kept + ")");
  }
  progress.clear();
  double seconds = progress.elapsed();
  std::printf("produced %s events into queue %s in %.2f s (%s events/s)\n",
              group_digits(sent).c_str(), o.queue.c_str(), seconds, rate(sent, seconds).c_str());
  return exit_ok;
}

}  // namespace

/// `pgqpp produce QUEUE`: reads events from standard input, one per line (the
/// line is the event's data) or, with --json, one JSON object per line, and
/// inserts them into QUEUE in transactions of --batch-size events through
/// the bulk insert. An unknown queue fails before any input is read; a
/// malformed JSON line stops with its line number, keeping the lines before
/// it (or nothing, with --atomic).
std::function<int()> setup_produce(CLI::App& app) {
  auto o = std::make_shared<ProduceOptions>();
  app.footer(
      "Input:\n"
      "  default   one event per line; the line is ev_data, --type sets ev_type\n"
      "  --json    one object per line: {\"type\": \"...\", \"data\": ..., \"extra1\": ...}\n"
      "            data/extras: a string as is, other JSON values as their JSON text;\n"
      "            a missing type means --type; blank lines are skipped\n"
      "A malformed line stops the run with its line number. The lines before it are\n"
      "inserted (resend from that line), or with --atomic nothing is.\n"
      "\nExamples:\n"
      "  seq 1000000 | pgqpp produce orders --type order.created\n"
      "  pgqpp tail orders --json --count 100 | pgqpp produce orders_copy --json");
  add_connect_options(app, o->connect);
  app.add_option("queue", o->queue, "the queue to insert into")->required();
  app.add_option("--type", o->type, "ev_type of each event (JSON: when the line has no \"type\")")
      ->capture_default_str();
  app.add_flag("--json", o->json, "read JSON lines instead of plain lines");
  app.add_option("--batch-size", o->batch_size, "events per transaction")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  app.add_flag("--atomic", o->atomic, "insert all input in one transaction (all or nothing)");
  return [o]() { return run_guarded("produce", [o] { return produce(*o); }); };
}

}  // namespace pgqpp::cli
