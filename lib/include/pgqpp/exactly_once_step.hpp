// SPDX-License-Identifier: PostgreSQL
// The points an exactly-once consumer passes for every batch.
#pragma once

namespace pgqpp {

/// Where an ExactlyOnceConsumer is in a batch; its on_step hook is called at
/// each. A crash at any of them neither loses nor repeats an event in the
/// target.
enum class ExactlyOnceStep {
  before_work,   ///< target transaction open, batch not yet applied there
  after_work,    ///< handler done, target transaction not yet committed
  after_commit,  ///< target committed, batch not yet finished in the queue
  after_finish,  ///< batch finished in the queue
};

}  // namespace pgqpp
