// SPDX-License-Identifier: PostgreSQL
// `pgqpp tail QUEUE`: prints a queue's events as they arrive, through a
// libpgqpp Consumer (woken by the ticker's NOTIFY, batches streamed).
//
// By default it reads as a temporary consumer, pgqpp_tail_<host>_<pid>,
// registered at start (so it shows the events from then on) and unregistered
// on every way out: the end of --count, SIGINT/SIGTERM, the reader of a pipe
// going away, an error. With --consumer it reads as an existing consumer,
// whose batches it finishes as it prints them (it consumes).
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <pgqpp/consumer.hpp>
#include <pgqpp/error.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "escape_text.hpp"
#include "event_format.hpp"
#include "output_watch.hpp"
#include "pgq_lookup.hpp"

namespace pgqpp::cli {

namespace {

struct TailOptions {
  ConnectOptions connect;
  std::string queue;
  std::string consumer;
  bool json = false;
  long long count = 0;  // 0: no limit
};

// pgqpp_tail_<host>_<pid>, with the host name cut to letters, digits and _.
std::string temporary_consumer_name() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::string clean;
  for (const char* p = host; *p && clean.size() < 32; ++p) {
    char c = *p;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (c == '.') break;  // the short host name is enough
    clean += ok ? c : '_';
  }
  if (clean.empty()) clean = "host";
  return "pgqpp_tail_" + clean + "_" + std::to_string(getpid());
}

// A whole number >= 1. CLI11's PositiveNumber names the whole range of
// double (a 300-digit number) in its message.
CLI::Validator positive_count() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        try {
          std::size_t used = 0;
          if (std::stoll(text, &used) >= 1 && used == text.size()) return "";
        } catch (const std::exception&) {
        }
        return "'" + text + "' is not a whole number >= 1 (leave --count out for no limit)";
      },
      "POSITIVE");
}

// Colour only for a person at a terminal who did not ask for none
// (https://no-color.org: NO_COLOR set and not empty).
bool want_colour() {
  const char* no_color = std::getenv("NO_COLOR");
  return stdout_is_terminal() && !(no_color && *no_color);
}

// Unregisters the temporary consumer however tail ends. Best effort: when
// the database is gone the consumer is left behind, and the message says so.
class TemporaryRegistration {
 public:
  TemporaryRegistration(Consumer& consumer, std::string name)
      : consumer_(consumer), name_(std::move(name)) {
    consumer_.register_consumer();
  }
  ~TemporaryRegistration() {
    try {
      consumer_.unregister_consumer();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "pgqpp tail: could not unregister temporary consumer %s: %s\n",
                   name_.c_str(), e.what());
    }
  }

 private:
  Consumer& consumer_;
  std::string name_;
};

int tail(const TailOptions& o) {
  {
    Connection db = connect(o.connect);
    require_queue(db, o.queue);
    if (!o.consumer.empty()) require_consumer(db, o.queue, o.consumer);
  }
  const bool temporary = o.consumer.empty();
  ConsumerOptions options;
  options.queue = o.queue;
  options.consumer = temporary ? temporary_consumer_name() : o.consumer;
  options.register_consumer = false;
  // SIGINT/SIGTERM: finish the batch being printed, then stop; again: now.
  options.stop.stop_on_signals();
  std::setvbuf(stdout, nullptr, _IOFBF, 1 << 16);
  OutputWatch output(options.stop);
  const bool colour = want_colour();

  Consumer consumer(o.connect.dsn, options);
  std::unique_ptr<TemporaryRegistration> registration;
  if (temporary) registration = std::make_unique<TemporaryRegistration>(consumer, options.consumer);
  if (isatty(STDERR_FILENO))
    std::fprintf(stderr, "pgqpp tail: queue %s as %s consumer %s (Ctrl-C stops)\n",
                 escape_controls(o.queue).c_str(), temporary ? "temporary" : "the",
                 escape_controls(options.consumer).c_str());

  long long printed = 0;
  bool limit_reached = false;
  consumer.run_batches([&](Batch& batch) {
    for (const Event& ev : batch) {
      if (limit_reached) {
        // More events than --count asked for: stop without finishing the
        // batch, so that a real consumer gets it again, whole.
        options.stop.request(StopMode::now);
        continue;  // the loop ends at the next step
      }
      std::string line = o.json ? format_event_json(ev) : format_event_line(ev, colour);
      line += '\n';
      if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size()) {
        output.mark_closed();  // requests a stop now: the loop ends at the next step
        continue;
      }
      if (o.count > 0 && ++printed == o.count) limit_reached = true;
    }
    // One flush per batch: prompt for a person, cheap for a pipe.
    if (std::fflush(stdout) != 0) output.mark_closed();
    // --count ended with the batch: it is finished, then the loop stops.
    if (limit_reached) options.stop.request(StopMode::after_batch);
  });
  return exit_ok;
}

}  // namespace

/// `pgqpp tail QUEUE`: prints QUEUE's events as they arrive, one line each
/// (id, time, type, data, extras), or JSON lines with --json. It reads as a
/// temporary consumer registered at start and unregistered at exit (also on
/// SIGINT/SIGTERM and when the output pipe closes), or with --consumer as an
/// existing consumer, whose batches it finishes. --count N stops after N
/// events.
std::function<int()> setup_tail(CLI::App& app) {
  auto o = std::make_shared<TailOptions>();
  app.footer(
      "Without --consumer, tail reads as a temporary consumer (pgqpp_tail_<host>_<pid>),\n"
      "registered at start and unregistered at exit: it shows the events from then on\n"
      "and takes nothing from anyone. With --consumer NAME it reads as that registered\n"
      "consumer and FINISHES its batches as it prints them: the events are consumed.\n"
      "Where --count ends inside a batch, that batch is not finished: it comes again,\n"
      "whole. Control characters in the line format are escaped (\\n, \\t, \\xNN);\n"
      "--json gives the exact text. Colour only on a terminal, and never with NO_COLOR.\n"
      "\nExamples:\n"
      "  pgqpp tail orders\n"
      "  pgqpp tail orders --json --count 10 | jq .data\n"
      "  pgqpp tail orders --consumer audit_log >> audit.txt");
  add_connect_options(app, o->connect);
  app.add_option("queue", o->queue, "the queue to read")->required();
  app.add_option("--consumer", o->consumer,
                 "read as this registered consumer (finishes its batches)");
  app.add_flag("--json", o->json,
               "one JSON object per line (id, time, txid, retry, type, data, extra1..4)");
  app.add_option("--count", o->count, "exit after N events")->check(positive_count());
  return [o]() { return run_guarded("tail", [o] { return tail(*o); }); };
}

}  // namespace pgqpp::cli
