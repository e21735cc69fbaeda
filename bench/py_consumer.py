#!/usr/bin/python3
# SPDX-License-Identifier: PostgreSQL
"""python3-pgq's pgq.Consumer reading one batch, for bench/consume.sh.

Run as `py_consumer.py CONFIG.ini --set consumer_name=NAME`; with loop_delay 0
the DBScript consumes what is ready and exits. Every event's data length is
summed (as the C++ readers do). Prints: <events> <seconds> <peak RSS in kB>
<CPU seconds>, timed from before DBScript starts (its config and connection
included, the interpreter's start and imports not).
"""

import resource
import sys
import time

import pgq


class BenchConsumer(pgq.Consumer):
    events = 0
    data_bytes = 0

    def process_batch(self, db, batch_id, ev_list):
        for ev in ev_list:
            BenchConsumer.events += 1
            BenchConsumer.data_bytes += len(ev.data or "")


if __name__ == "__main__":
    start = time.monotonic()
    BenchConsumer("bench_consumer", "db", sys.argv[1:]).start()
    took = time.monotonic() - start
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print("%d %.6f %d %.3f" % (BenchConsumer.events, took, ru.ru_maxrss, ru.ru_utime + ru.ru_stime))
