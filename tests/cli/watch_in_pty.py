#!/usr/bin/env python3
# SPDX-License-Identifier: PostgreSQL
"""Runs `pgqpp status --watch` under a pseudo-terminal, as a person would,
and checks that it redraws in place and stops cleanly.

Usage: watch_in_pty.py PGQPP STOP [ARGS...]
  STOP is "q" (press q) or "sigint" (Ctrl-C as a signal). ARGS go to
  `pgqpp status --watch 0.3`.
Checks: at least two frames (in 2.5 s), each starting with cursor-home and ending with
clear-to-end (no scrolling); the table in them; exit 0 within 3 s of the
stop; the terminal's echo and line mode restored and the cursor shown.
Prints the frame count; exits 1 with a reason on any failure.
"""
import os
import pty
import select
import signal
import sys
import termios
import time


def read_for(fd, seconds):
    out = b""
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


def main():
    pgqpp, stop, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(pgqpp, [pgqpp, "status", "--watch", "0.3", *args])
    out = read_for(fd, 2.5)
    if stop == "q":
        os.write(fd, b"q")
    else:
        os.kill(pid, signal.SIGINT)
    end = time.time() + 3
    status = None
    while time.time() < end:
        out += read_for(fd, 0.1)
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
    else:
        os.kill(pid, signal.SIGKILL)
        sys.exit(f"FAIL: pgqpp status --watch did not stop within 3 s of {stop}")
    out += read_for(fd, 0.2)
    attrs = termios.tcgetattr(fd)
    text = out.decode("utf-8", "replace")
    frames = text.count("\x1b[H")
    problems = []
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        problems.append(f"exit status {status}, expected 0")
    if frames < 2:
        problems.append(f"{frames} frames in 2.5 s at 0.3 s intervals")
    if text.count("\x1b[J") < frames:
        problems.append("a frame does not clear the rest of the screen")
    if "QUEUE" not in text or "CONSUMER" not in text:
        problems.append("no queue and consumer tables in the frames")
    if not text.rstrip().endswith("\x1b[?25h"):
        problems.append("the cursor was not shown again at exit")
    # In place: no frame's text scrolls the screen, i.e. every frame starts
    # at home and there is no output between the end of a frame and the next home.
    for between in text.split("\x1b[H")[1:-1]:
        if not between.endswith("\x1b[J"):
            problems.append("output after a frame's end")
            break
    if not attrs[3] & termios.ECHO or not attrs[3] & termios.ICANON:
        problems.append("terminal echo / line mode not restored")
    if problems:
        print("output was:", repr(text[-2000:]))
        sys.exit("FAIL: " + "; ".join(problems))
    print(f"{frames} frames")
    sys.stdout.write("COLOUR\n" if "\x1b[1m" in text else "PLAIN\n")


if __name__ == "__main__":
    main()
