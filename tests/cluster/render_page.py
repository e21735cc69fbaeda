#!/usr/bin/env python3
# SPDX-License-Identifier: PostgreSQL
"""Loads a page in headless Chromium and writes its DOM after the scripts ran.

Usage: render_page.py URL DOM_FILE PNG_FILE [SECONDS] [WIDTHxHEIGHT]

`chromium --dump-dom --virtual-time-budget` never returns for a page that
keeps a stream open (pgqpp web's server-sent events hold a request open,
and virtual time waits for it), so this drives Chromium over the DevTools
protocol on a pipe (--remote-debugging-pipe: fd 3 in, fd 4 out,
NUL-separated JSON): open the page, wait SECONDS (default 4) of real time,
read document.documentElement.outerHTML, take a screenshot, close.
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


def main():
    url, dom_file, png_file = sys.argv[1:4]
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 4
    width, height = (int(x) for x in (sys.argv[5] if len(sys.argv) > 5 else "1200x1000").split("x"))
    browser = Browser(width, height)
    try:
        target = browser.call("Target.createTarget", url="about:blank")["targetId"]
        session = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        browser.call("Emulation.setDeviceMetricsOverride", session, width=width, height=height,
                     deviceScaleFactor=1, mobile=width < 700)
        browser.call("Page.navigate", session, url=url)
        browser.call("Runtime.evaluate", session,
                     expression=f"new Promise(r => setTimeout(r, {int(seconds * 1000)}))",
                     awaitPromise=True)
        dom = browser.call("Runtime.evaluate", session, returnByValue=True,
                           expression="document.documentElement.outerHTML")["result"]["value"]
        with open(dom_file, "w") as f:
            f.write(dom)
        png = browser.call("Page.captureScreenshot", session, format="png")["data"]
        with open(png_file, "wb") as f:
            f.write(base64.b64decode(png))
    except Exception as e:  # noqa: BLE001 - any failure is the one line of the exit
        print(f"render_page: {e}", file=sys.stderr)
        return 1
    finally:
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
