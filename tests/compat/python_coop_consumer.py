#!/usr/bin/python3
# SPDX-License-Identifier: PostgreSQL
"""A python3-pgq cooperative consumer for compat_python_pgq_coop.sh.

An ordinary pgq.CoopConsumer (skytools DBScript, PgQ's pgq_coop API):
configured by an ini file, run as `python_coop_consumer.py CONFIG.ini
[--register | --unregister] [--set key=value ...]`. With loop_delay = 0 it
processes every available batch and exits when pgq_coop.next_batch()
returns none.

Every event it receives is written to the table named by `seen_table`
through the consumer's own connection, in the batch's transaction.
Extra config keys: db, seen_table.
"""

import sys

import pgq


class CompatCoopConsumer(pgq.CoopConsumer):
    def reload(self):
        super().reload()
        self.seen_table = self.cf.get("seen_table")

    def process_batch(self, db, batch_id, ev_list):
        curs = db.cursor()
        for ev in ev_list:
            curs.execute("insert into " + self.seen_table +
                         " (sub, batch_id, ev_id, ev_data) values (%s, %s, %s, %s)",
                         [self.subconsumer_name, batch_id, ev.id, ev.data])
            ev.tag_done()


if __name__ == "__main__":
    script = CompatCoopConsumer("compat_coop", "db", sys.argv[1:])
    script.start()
