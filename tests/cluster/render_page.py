#!/usr/bin/env python3
# SPDX-License-Identifier: PostgreSQL
"""Loads a page in headless Chromium and writes its DOM after the scripts ran.

Usage: render_page.py URL DOM_FILE PNG_FILE [SECONDS] [WIDTHxHEIGHT]
                      [--step JS | --shot PNG_FILE]...

`chromium --dump-dom --virtual-time-budget` never returns for a page that
keeps a stream open (pgqpp web's server-sent events hold a request open,
and virtual time waits for it), so this drives Chromium over the DevTools
protocol on a pipe (--remote-debugging-pipe: fd 3 in, fd 4 out,
NUL-separated JSON): open the page, wait SECONDS (default 4) of real time,
then run the steps in order: --step evaluates JS in the page (awaiting it
when it is a promise; an exception fails the run) and waits SECONDS again,
--shot saves a screenshot; then read document.documentElement.outerHTML,
take a screenshot, close. Steps let a test click through the page (a
button, then its confirmation).
Exit 0 when both were written; 1 with the reason on stderr otherwise.
"""
import base64
import json
import os
import subprocess
import sys
import tempfile


class Browser:
    def __init__(self, width, height):
        self.to_chrome_r, self.to_chrome_w = os.pipe()
        self.from_chrome_r, self.from_chrome_w = os.pipe()
        self.profile = tempfile.TemporaryDirectory(prefix="pgqpp-chromium-")

        def pipes():  # in the child, before exec: fds 3 and 4 as Chromium wants them
            # (copied first: a pipe may already be fd 3 or 4, and dup2 onto
            # itself would keep it close-on-exec)
            read_end, write_end = os.dup(self.to_chrome_r), os.dup(self.from_chrome_w)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        args = ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--remote-debugging-pipe",
                f"--user-data-dir={self.profile.name}", f"--window-size={width},{height}",
                "about:blank"]
        self.proc = subprocess.Popen(args, close_fds=False, preexec_fn=pipes,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(self.to_chrome_r)
        os.close(self.from_chrome_w)
        self.buffer = b""
        self.next_id = 0

    def call(self, method, session=None, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome_w, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self.read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def read(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.from_chrome_r, 65536)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buffer += chunk
        msg, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(msg)

    def close(self):
        try:
            self.call("Browser.close")
        except (RuntimeError, OSError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.profile.cleanup()


def screenshot(browser, session, png_file):
    png = browser.call("Page.captureScreenshot", session, format="png")["data"]
    with open(png_file, "wb") as f:
        f.write(base64.b64decode(png))


def wait(browser, session, seconds):
    browser.call("Runtime.evaluate", session,
                 expression=f"new Promise(r => setTimeout(r, {int(seconds * 1000)}))",
                 awaitPromise=True)


def parse_args(argv):
    """The positional arguments, and the steps (("step", JS) or ("shot", PNG)) in order."""
    positional, steps = [], []
    i = 0
    while i < len(argv):
        if argv[i] in ("--step", "--shot") and i + 1 < len(argv):
            steps.append((argv[i][2:], argv[i + 1]))
            i += 2
        else:
            positional.append(argv[i])
            i += 1
    return positional, steps


def main():
    args, steps = parse_args(sys.argv[1:])
    url, dom_file, png_file = args[0:3]
    seconds = float(args[3]) if len(args) > 3 else 4
    width, height = (int(x) for x in (args[4] if len(args) > 4 else "1200x1000").split("x"))
    browser = Browser(width, height)
    try:
        target = browser.call("Target.createTarget", url="about:blank")["targetId"]
        session = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        browser.call("Emulation.setDeviceMetricsOverride", session, width=width, height=height,
                     deviceScaleFactor=1, mobile=width < 700)
        browser.call("Page.navigate", session, url=url)
        wait(browser, session, seconds)
        for kind, arg in steps:
            if kind == "shot":
                screenshot(browser, session, arg)
                continue
            reply = browser.call("Runtime.evaluate", session, expression=arg, awaitPromise=True)
            if "exceptionDetails" in reply:
                details = reply["exceptionDetails"]
                why = details.get("exception", {}).get("description", details.get("text"))
                raise RuntimeError(f"step {arg!r}: {why}")
            wait(browser, session, seconds)
        dom = browser.call("Runtime.evaluate", session, returnByValue=True,
                           expression="document.documentElement.outerHTML")["result"]["value"]
        with open(dom_file, "w") as f:
            f.write(dom)
        screenshot(browser, session, png_file)
    except Exception as e:  # noqa: BLE001 - any failure is the one line of the exit
        print(f"render_page: {e}", file=sys.stderr)
        return 1
    finally:
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
