// SPDX-License-Identifier: PostgreSQL
// `pgqpp produce QUEUE`: events from standard input into a queue, through
// libpgqpp's bulk insert (pgq.insert_events on pgqpp, pgq.insert_event per
// row on PgQ 3.5), at most --batch-size events per transaction.
//
// Input is one event per line (the line is ev_data), or with --json one JSON
// object per line (see event_input.hpp). A commit happens when --batch-size
// events are pending, at the end of input, and when the input goes idle
// (no complete line at hand) with events pending for flush_interval: so a
// slow source (`tail -f app.log`) is delivered as it comes, and a pipe from
// `pgqpp tail --consumer`, which finishes its batches once printed, is not
// left holding uncommitted events.
//
// A bad line stops the run: by default every line before it is inserted
// (committed) and nothing from it on, so the rest can be sent again from
// that line; with --atomic the whole input is one transaction and nothing
// is inserted. SIGINT/SIGTERM on a pipe: read on until the writer closes it
// (a writer in the same pipeline got the signal too and stops), so nothing
// it wrote is lost; a second signal, or the first on a terminal or a file,
// stops at once after committing what was read, and says where to resume.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include <pgqpp/delivery.hpp>
#include <pgqpp/error.hpp>
#include <pgqpp/rows.hpp>

#include "batch_writer.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "escape_text.hpp"
#include "event_input.hpp"
#include "line_reader.hpp"
#include "number_format.hpp"
#include "pgq_lookup.hpp"
#include "produce_report.hpp"
#include "progress_meter.hpp"
#include "stop_signals.hpp"

namespace pgqpp::cli {

namespace {

/// How long pending events may wait for more input before they are
/// committed (docs/cli.md, "produce", states it).
constexpr auto flush_interval = std::chrono::milliseconds(200);

struct ProduceOptions {
  ConnectOptions connect;
  std::string queue;
  std::string type = "event";
  bool json = false;
  std::size_t batch_size = 1000;
  bool atomic = false;
  std::string at;     // --at: deliver at this time (PostgreSQL's timestamptz input)
  std::string delay;  // --delay: deliver this long after each insert (interval input)
};

// --at / --delay as a Delivery: the server reads the text (any timestamptz
// or interval input: '2026-12-24 18:00', '500ms', '2 hours'), so the tool
// understands exactly what SQL does. Bad text fails with its SQL message.
Delivery delivery_of(Connection& db, const ProduceOptions& o) {
  if (!o.at.empty()) {
    Rows r = db.exec("select (extract(epoch from $1::timestamptz) * 1000000)::int8", {o.at});
    return Delivery::at(std::chrono::system_clock::time_point(
        std::chrono::microseconds(std::stoll(std::string(r.value(0, 0))))));
  }
  if (!o.delay.empty()) {
    Rows r = db.exec("select (extract(epoch from $1::interval) * 1000000)::int8", {o.delay});
    return Delivery::after(std::chrono::microseconds(std::stoll(std::string(r.value(0, 0)))));
  }
  return Delivery();
}

// A pipe, FIFO or socket has a writer that may still be finishing (and
// counting on us to read what it wrote); a terminal or a file has none.
bool input_has_writer() {
  struct stat st;
  if (fstat(STDIN_FILENO, &st) != 0) return false;
  return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
}

const char* signal_name(int sig) { return sig == SIGINT ? "SIGINT" : "SIGTERM"; }

// One run: the input, the writer and the signals, and how the loop ended.
class ProduceRun {
 public:
  ProduceRun(const ProduceOptions& o, Connection& db)
      : o_(o), writer_(db, o.queue, o.atomic), input_(STDIN_FILENO) {}

  /// Reads and inserts everything; returns the exit code.
  int run();
  /// When the events are due (--at / --delay).
  void set_delivery(Delivery delivery) noexcept { writer_.set_delivery(delivery); }

 private:
  bool read_lines();
  void add_line(std::string_view line);
  bool on_signal();
  std::string kept_text() const;
  [[noreturn]] void stop_with(const std::string& text);

  const ProduceOptions& o_;
  BatchWriter writer_;
  LineReader input_;
  StopSignals signals_;
  ProgressMeter progress_;
  const bool has_writer_ = input_has_writer();
  bool noted_signal_ = false;
};

// Returns false when a signal asked to stop before the end of input.
bool ProduceRun::read_lines() {
  std::string_view line;
  for (;;) {
    std::optional<LineReader::Clock::time_point> deadline;
    if (writer_.pending() > 0) deadline = writer_.oldest() + flush_interval;
    switch (input_.next(line, deadline, signals_.wake_fd())) {
      case LineReader::Status::line:
        add_line(line);
        if (writer_.pending() >= o_.batch_size) writer_.write(input_.line_number());
        break;
      case LineReader::Status::timeout:
        writer_.write(input_.line_number());
        break;
      case LineReader::Status::woken:
        if (!on_signal()) return false;
        break;
      case LineReader::Status::end:
        return true;
    }
    progress_.update(writer_.events());
  }
}

void ProduceRun::add_line(std::string_view line) {
  const long long number = input_.line_number();
  try {
    if (!o_.json) {
      writer_.add(number, plain_event(line, o_.type));
    } else if (auto event = parse_json_event(line, o_.type)) {
      writer_.add(number, std::move(*event));
    }
  } catch (const BadInput& e) {
    writer_.write(number - 1);  // may name an earlier line instead: RejectedLine
    stop_with(bad_line_text(number, e.what(), writer_.done(), o_.atomic));
  }
}

// The first signal on a pipe: go on to the end of input (the writer, in
// the same pipeline, got it too). Returns false to stop now.
bool ProduceRun::on_signal() {
  const int count = signals_.take();
  if (count >= 2 || !has_writer_) return false;
  if (!noted_signal_) {
    progress_.clear();
    std::fprintf(stderr,
                 "pgqpp produce: %s: inserting the rest of the input until it ends "
                 "(a second signal stops at once)\n",
                 signal_name(signals_.last()));
    noted_signal_ = true;
  }
  return true;
}

// Which lines are in the queue now: with --atomic, none until the commit.
std::string ProduceRun::kept_text() const {
  const long long done = o_.atomic ? 0 : writer_.done();
  if (writer_.in_doubt() > 0) return in_doubt_text(done, writer_.in_doubt());
  return kept_lines_text(done, o_.atomic);
}

void ProduceRun::stop_with(const std::string& text) {
  progress_.clear();
  throw Failure(text);
}

int ProduceRun::run() {
  bool to_the_end = false;
  try {
    to_the_end = read_lines();
    // Stopped early, --atomic keeps its promise: all input or nothing.
    if (to_the_end || !o_.atomic) writer_.finish(input_.line_number());
  } catch (const Failure&) {
    throw;
  } catch (const RejectedLine& e) {
    stop_with(bad_line_text(e.line(), e.what(), writer_.done(), o_.atomic));
  } catch (const connection_lost& e) {
    stop_with("lost the database connection: " + std::string(e.what()) + "; " + kept_text());
  } catch (const error& e) {
    const std::string hint = e.hint().empty() ? "" : " (" + e.hint() + ")";
    stop_with(std::string(e.what()) + hint + "; " + kept_text());
  } catch (const std::exception& e) {
    stop_with(std::string(e.what()) + "; " + kept_text());
  }
  progress_.clear();
  if (!to_the_end) {
    std::fprintf(stderr, "pgqpp produce: stopped by %s: %s\n", signal_name(signals_.last()),
                 kept_text().c_str());
    return 128 + signals_.last();
  }
  const double seconds = progress_.elapsed();
  std::printf("produced %s events into queue %s in %.2f s (%s events/s)\n",
              group_digits(writer_.events()).c_str(), escape_controls(o_.queue).c_str(), seconds,
              rate(writer_.events(), seconds).c_str());
  return exit_ok;
}

int produce(const ProduceOptions& o) {
  Connection db = connect(o.connect);
  require_queue(db, o.queue);
  if (isatty(STDIN_FILENO))
    std::fprintf(
        stderr, "pgqpp produce: reading events from the terminal, one per line; end with Ctrl-D\n");
  ProduceRun run(o, db);
  run.set_delivery(delivery_of(db, o));
  return run.run();
}

// "0.2 s": the flush interval for the help text, from the one constant.
std::string flush_interval_text() {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", std::chrono::duration<double>(flush_interval).count());
  return text;
}

}  // namespace

/// `pgqpp produce QUEUE`: reads events from standard input, one per line (the
/// line is the event's data) or, with --json, one JSON object per line, and
/// inserts them into QUEUE in transactions of at most --batch-size events
/// through the bulk insert, committing also whenever the input is idle. An
/// unknown queue fails before any input is read; a bad line stops with its
/// line number, keeping exactly the lines before it (or nothing, with
/// --atomic).
std::function<int()> setup_produce(CLI::App& app) {
  auto o = std::make_shared<ProduceOptions>();
  app.footer(
      "Input:\n"
      "  default   one event per line; the line is ev_data, --type sets ev_type\n"
      "  --json    one object per line: {\"type\": \"...\", \"data\": ..., \"extra1\": ...}\n"
      "            data/extras: a string as is, other JSON values as their JSON text;\n"
      "            a missing type means --type; blank lines are skipped\n"
      "Commits: every --batch-size events, at the end of input, and whenever events\n"
      "have waited " +
      flush_interval_text() +
      " for more input (so slow input goes in as it comes).\n"
      "A bad line stops the run: \"line N: reason; lines 1–(N-1) inserted; resend\n"
      "from line N\" (with --atomic nothing is inserted).\n"
      "SIGINT/SIGTERM: from a pipe, the rest of the input is still read and inserted\n"
      "until the writer closes it; a second signal (or the first when reading a\n"
      "terminal or a file) stops at once and says which line to resend from.\n"
      "\nExamples:\n"
      "  seq 1000000 | pgqpp produce orders --type order.created\n"
      "  tail -f app.log | pgqpp produce logs\n"
      "  echo reminder | pgqpp produce jobs --delay '15 min'\n"
      "  pgqpp tail orders --consumer copier --json | pgqpp produce orders_copy --json");
  add_connect_options(app, o->connect);
  app.add_option("queue", o->queue, "the queue to insert into")->required();
  app.add_option("--type", o->type, "ev_type of each event (JSON: when the line has no \"type\")")
      ->capture_default_str();
  app.add_flag("--json", o->json, "read JSON lines instead of plain lines");
  app.add_option("--batch-size", o->batch_size, "most events per transaction")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  app.add_flag("--atomic", o->atomic, "insert all input in one transaction (all or nothing)");
  auto* at = app.add_option("--at", o->at,
                            "deliver the events at TIME (a PostgreSQL timestamptz, e.g. "
                            "'2026-12-24 18:00+00'), not at once");
  app.add_option("--delay", o->delay,
                 "deliver each event DURATION after its insert (a PostgreSQL interval, e.g. "
                 "500ms, '2 hours')")
      ->excludes(at);
  return [o]() { return run_guarded("produce", [o] { return produce(*o); }); };
}

}  // namespace pgqpp::cli
