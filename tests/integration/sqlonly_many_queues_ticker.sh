#!/usr/bin/env bash
# SPDX-License-Identifier: PostgreSQL
# many_queues_ticker.sh against the SQL-only edition (label sqlonly): its
# PL/pgSQL pgq.ticker() over 1,500 due queues with a lock table of a few
# hundred entries, capped as the extension's.
set -euo pipefail
MANY_QUEUES_EDITION=sqlonly exec bash "$(dirname "$0")/many_queues_ticker.sh"
