// SPDX-License-Identifier: PostgreSQL
// libpgqpp: every public header at once.
#pragma once

#include "pgqpp/batch.hpp"
#include "pgqpp/connection.hpp"
#include "pgqpp/consumer.hpp"
#include "pgqpp/consumer_options.hpp"
#include "pgqpp/delivery.hpp"
#include "pgqpp/error.hpp"
#include "pgqpp/event.hpp"
#include "pgqpp/exactly_once_consumer.hpp"
#include "pgqpp/exactly_once_options.hpp"
#include "pgqpp/exactly_once_step.hpp"
#include "pgqpp/new_event.hpp"
#include "pgqpp/param.hpp"
#include "pgqpp/producer.hpp"
#include "pgqpp/rows.hpp"
#include "pgqpp/stop_mode.hpp"
#include "pgqpp/stop_source.hpp"
#include "pgqpp/tag.hpp"
#include "pgqpp/transaction.hpp"
