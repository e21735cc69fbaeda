#!/usr/bin/env python3
# SPDX-License-Identifier: PostgreSQL
"""Unit tests of valgrind_ours.py: which memcheck records count as pgqpp's.

Run as the ctest test unit/valgrind_ours; the logs are written here, in the
form memcheck writes them, so the classifier is checked without valgrind.
"""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SCRIPT = os.path.join(HERE, "valgrind_ours.py")
STAGE = "/tmp/stage"


def leak(frame_location):
    """A definitely-lost record whose allocating frame is at frame_location."""
    return (
        "==42== 4,096 bytes in 1 blocks are definitely lost in loss record 9 of 9\n"
        "==42==    at 0x4846FA3: operator new(unsigned long) "
        "(/builddir/vg_replace_malloc.c:422)\n"
        f"==42==    by 0x1234567: bridge_test_unguarded_leak ({frame_location})\n"
        "==42==    by 0x2345678: ExecInterpExpr (/tmp/stage/usr/lib/postgresql/15/bin/postgres)\n"
        "==42== \n"
    )


def count(log_text):
    """The number of records valgrind_ours.py counts as pgqpp's."""
    with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
        f.write(log_text)
    try:
        out = subprocess.run(
            [sys.executable, SCRIPT, "--source", ROOT, "--stage", STAGE, f.name],
            capture_output=True, text=True, check=False).stdout
    finally:
        os.unlink(f.name)
    return int(out.strip().splitlines()[-1].split()[0])


class ValgrindOurs(unittest.TestCase):
    def test_a_frame_in_this_tree_counts(self):
        self.assertEqual(count(leak(f"{ROOT}/extension/test/bridge_test.cpp:84")), 1)

    def test_a_frame_relative_to_a_build_folder_counts(self):
        where = f"{ROOT}/build/extension/../../extension/test/bridge_test.cpp:84"
        self.assertEqual(count(leak(where)), 1)

    def test_the_same_file_compiled_in_another_clone_counts(self):
        # ccache shares objects across clones (CCACHE_NOHASHDIR); their debug
        # information names the clone that compiled them first.
        where = "/elsewhere/clone/build/extension/../../extension/test/bridge_test.cpp:84"
        self.assertEqual(count(leak(where)), 1)

    def test_a_file_that_is_not_ours_does_not_count(self):
        where = "/elsewhere/clone/extension/src/no_such_file.cpp:1"
        self.assertEqual(count(leak(where)), 0)

    def test_the_server_does_not_count(self):
        self.assertEqual(count(leak("/tmp/stage/usr/lib/postgresql/15/bin/postgres")), 0)
        self.assertEqual(count(leak("/b/postgresql-18.1/src/backend/utils/mmgr/aset.c:9")), 0)


if __name__ == "__main__":
    unittest.main()
