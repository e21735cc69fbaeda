#!/usr/bin/python3
# SPDX-License-Identifier: PostgreSQL
"""A python3-pgq consumer for the compatibility test (compat_python_pgq.sh).

It is an ordinary pgq.Consumer (skytools DBScript): configured by an ini file,
run as `python_consumer.py CONFIG.ini [--register] [--set key=value ...]`.
With loop_delay = 0 in the config, DBScript processes every available batch
and exits when pgq.next_batch_custom() returns no batch.

Every event it receives is written to the table named by `seen_table` in the
same database, through the consumer's own connection and so in the batch's
transaction: the row commits together with pgq.finish_batch() (exactly-once),
and the shell test compares those rows with what it inserted.

Extra config keys (besides DBScript's and pgq.Consumer's):
  db            libpq connect string of the queue database
  seen_table    table to record events in
  run_label     text stored with every row, to tell runs apart
  retry_types   comma list of ev_type values to tag for retry (first delivery only)
  retry_seconds delay passed to ev.tag_retry()
"""

import sys

import pgq


class CompatConsumer(pgq.Consumer):
    def reload(self):
        super().reload()
        self.seen_table = self.cf.get("seen_table")
        self.run_label = self.cf.get("run_label", "")
        self.retry_types = set(self.cf.getlist("retry_types", []))
        self.retry_seconds = self.cf.getint("retry_seconds", 60)
        self.seq = 0

    def process_batch(self, db, batch_id, ev_list):
        self.log.info("batch %s: tick %s -> %s", batch_id,
                      self.batch_info["prev_tick_id"], self.batch_info["tick_id"])
        info = self.batch_info
        curs = db.cursor()
        for ev in ev_list:
            self.seq += 1
            row = [self.run_label, self.consumer_name, self.seq, batch_id,
                   info["prev_tick_id"], info["tick_id"], info["seq_start"], info["seq_end"],
                   ev.id, ev.txid, ev.time, ev.retry, ev.type, ev.data,
                   ev.extra1, ev.extra2, ev.extra3, ev.extra4]
            curs.execute(
                "insert into " + self.seen_table +
                " (run_label, consumer, seq, batch_id, prev_tick_id, tick_id,"
                "  batch_seq_start, batch_seq_end, ev_id, ev_txid, ev_time, ev_retry,"
                "  ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4)"
                " values (" + ", ".join(["%s"] * len(row)) + ")", row)
            # Attribute and dict access must agree (Event is both).
            if ev["ev_type"] != ev.type or ev.get("ev_extra4") != ev.extra4:
                raise Exception("event field access mismatch: %s" % ev)
            if ev.type in self.retry_types and ev.retry is None:
                self.log.info("tagging event %s for retry in %ss", ev.id, self.retry_seconds)
                ev.tag_retry(self.retry_seconds)
            else:
                ev.tag_done()


if __name__ == "__main__":
    script = CompatConsumer("compat_consumer", "db", sys.argv[1:])
    script.start()
