// SPDX-License-Identifier: PostgreSQL
// The exactly-once consumer loop.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "consume/batch_reader.hpp"
#include "consume/batch_source.hpp"
#include "consume/progress_table.hpp"
#include "pgqpp/connection.hpp"
#include "pgqpp/exactly_once_options.hpp"
#include "pgqpp/transaction.hpp"

namespace pgqpp::detail {

class ExactlyOnceRunner {
 public:
  using Process = std::function<void(BatchReader&, Transaction&)>;

  ExactlyOnceRunner(std::string source_conninfo, std::string target_conninfo,
                    ExactlyOnceOptions options);

  /// Loops until a stop: next batch, apply it in the target with the
  /// progress record, commit, finish it in the queue. Lost connections (of
  /// the queue or the target) are reopened and the batch applied again
  /// from the start.
  void run(const Process& process);
  StopState& stop() noexcept { return source_.stop(); }

 private:
  enum class Step { batch_done, stop };
  Step apply(BatchInfo batch, const Process& process);
  Connection& target();
  bool target_ok() noexcept { return target_ && target_->pg().ok(); }
  bool reopen_target(const error& cause);
  void step(ExactlyOnceStep s, std::int64_t batch_id) const;

  BatchSource source_;
  std::string target_conninfo_;
  std::optional<Connection> target_;
  ProgressTable progress_;
  std::function<void(ExactlyOnceStep, std::int64_t)> on_step_;
};

}  // namespace pgqpp::detail
