# SPDX-License-Identifier: GPL-3.0-or-later
"""Headless Chromium driven through the DevTools protocol, over Debian's WebSocket client
(python3-websocket).

Enough of the protocol (Page, Runtime, Input, Emulation) for the setup-page test: open a page, run
script in it, click an element with the mouse, wait for conditions, take screenshots. Everything
talks to 127.0.0.1 only; every wait has a deadline.
"""

import base64
import json
import os
import subprocess
import time
import urllib.parse
import urllib.request

import websocket

_MAX_MESSAGES = 100000  # a bound on the messages read while waiting for one answer or event


class DevToolsError(RuntimeError):
    """The browser did not start, did not answer in time, or reported an error."""


class Browser:
    """One headless Chromium with one page, driven through DevTools."""

    def __init__(self, chromium, profile, width=412, height=915, log_path=None):
        os.makedirs(profile, exist_ok=True)
        port_file = os.path.join(profile, "DevToolsActivePort")
        if os.path.exists(port_file):
            os.remove(port_file)
        self._log = open(log_path or os.devnull, "wb")
        self._process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-default-apps", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
             f"--user-data-dir={profile}", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
             f"--window-size={width},{height}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log)
        self._next_id = 0
        self._events = []
        self._socket = None
        try:
            port = self._wait_for_port(port_file, time.monotonic() + 30)
            url = self._page_url(port, time.monotonic() + 15)
            if urllib.parse.urlsplit(url).hostname != "127.0.0.1":
                raise DevToolsError(f"refusing to connect to {url}: only 127.0.0.1 is used")
            # No Origin header: Chromium refuses DevTools connections that name an origin it was not told of.
            self._socket = websocket.create_connection(url, timeout=10, suppress_origin=True)
            self.call("Page.enable")
            self.call("Runtime.enable")
            self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                      mobile=True)
        except Exception:
            self.close()
            raise

    def _wait_for_port(self, port_file, deadline):
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise DevToolsError(f"chromium exited with {self._process.returncode} before DevTools opened")
            try:
                with open(port_file) as f:
                    first = f.readline().strip()
                if first.isdigit():
                    return int(first)
            except OSError:
                pass
            time.sleep(0.05)
        raise DevToolsError("chromium did not open its DevTools port within 30 s")

    @staticmethod
    def _page_url(port, deadline):
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as reply:
                    targets = json.load(reply)
                for target in targets:
                    if target.get("type") == "page" and target.get("webSocketDebuggerUrl"):
                        return target["webSocketDebuggerUrl"]
            except OSError:
                pass
            time.sleep(0.1)
        raise DevToolsError("chromium lists no page to drive")

    def close(self):
        if self._socket:
            try:
                self.call("Browser.close", timeout=5)
            except (DevToolsError, OSError, websocket.WebSocketException):
                pass
            self._socket.close()
            self._socket = None
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        self._log.close()

    def _receive(self, deadline):
        """The next message, waiting until `deadline` (time.monotonic())."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise DevToolsError("timed out waiting for the browser")
        self._socket.settimeout(remaining)
        try:
            text = self._socket.recv()
        except websocket.WebSocketTimeoutException as error:
            raise DevToolsError("timed out waiting for the browser") from error
        except websocket.WebSocketException as error:
            raise DevToolsError(f"the DevTools connection failed: {error}") from error
        if not text:  # a close frame
            raise DevToolsError("the browser closed the DevTools connection")
        return json.loads(text)

    def call(self, method, timeout=30, **params):
        """Sends one command and returns its result; events that come meanwhile are kept."""
        self._next_id += 1
        call_id = self._next_id
        try:
            self._socket.send(json.dumps({"id": call_id, "method": method, "params": params}))
        except websocket.WebSocketException as error:
            raise DevToolsError(f"{method}: the DevTools connection failed: {error}") from error
        deadline = time.monotonic() + timeout
        for _ in range(_MAX_MESSAGES):
            message = self._receive(deadline)
            if message.get("id") == call_id:
                if "error" in message:
                    raise DevToolsError(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})
            if "method" in message:
                self._events.append(message)
        raise DevToolsError(f"{method}: no answer among {_MAX_MESSAGES} messages")

    def wait_event(self, method, timeout=30):
        """Waits for the next event `method` (one that came before counts once)."""
        deadline = time.monotonic() + timeout
        for _ in range(_MAX_MESSAGES):
            for i, event in enumerate(self._events):
                if event["method"] == method:
                    del self._events[i]
                    return event.get("params", {})
            message = self._receive(deadline)
            if "method" in message:
                self._events.append(message)
        raise DevToolsError(f"no {method} among {_MAX_MESSAGES} messages")

    def forget_events(self):
        self._events.clear()

    def navigate(self, url, timeout=30):
        self.forget_events()
        result = self.call("Page.navigate", url=url)
        if result.get("errorText"):
            raise DevToolsError(f"cannot open {url}: {result['errorText']}")
        self.wait_event("Page.loadEventFired", timeout)

    def evaluate(self, expression, timeout=30):
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.call("Runtime.evaluate", timeout=timeout, expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise DevToolsError(f"script failed: {text}\n  in: {expression}")
        return result.get("result", {}).get("value")

    def wait_for(self, expression, what, timeout=15):
        """Polls `expression` until it is true; fails naming `what` after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(expression):
                return
            time.sleep(0.1)
        raise DevToolsError(f"timed out after {timeout} s waiting for {what}")

    def click(self, selector, across=0.5, down=0.5):
        """Scrolls the element into view and clicks it with the mouse, as a person would: in its middle,
        or at the fractions `across` and `down` of its width and height (a tap on a spot of an image)."""
        box = self.evaluate(
            "(function(){var e=document.querySelector(%s);if(!e)return null;e.scrollIntoView({block:'center'});"
            "var r=e.getBoundingClientRect();return {x:r.left+r.width*%f,y:r.top+r.height*%f,w:r.width,h:r.height};})()"
            % (json.dumps(selector), across, down))
        if not box or box["w"] <= 0 or box["h"] <= 0:
            raise DevToolsError(f"nothing visible to click at {selector}")
        self.call("Input.dispatchMouseEvent", type="mouseMoved", x=box["x"], y=box["y"])
        self.call("Input.dispatchMouseEvent", type="mousePressed", x=box["x"], y=box["y"], button="left",
                  clickCount=1)
        self.call("Input.dispatchMouseEvent", type="mouseReleased", x=box["x"], y=box["y"], button="left",
                  clickCount=1)

    def screenshot(self, path, full_page=False):
        params = {"format": "png"}
        if full_page:
            size = self.call("Page.getLayoutMetrics")["cssContentSize"]
            params.update(captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1})
        data = base64.b64decode(self.call("Page.captureScreenshot", **params)["data"])
        with open(path, "wb") as f:
            f.write(data)
        return path
