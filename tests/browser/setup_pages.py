#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The setup pages in headless Chromium at phone size, as a person uses them (setup-pages.sh starts
the daemon): the page renders; a mouse click on a jog button moves the focuser; settings chosen in
the form and saved with the Save button land in the settings file; the last frame appears, with its
figures (stars, HFR, a histogram), when the camera takes one; the lens-learning wizard learns the
lens, shows its progress and where the profile was saved. Screenshots of each step go to the
artifact directory.

Usage: setup_pages.py --chromium PATH --base http://127.0.0.1:PORT --artifacts DIR --settings FILE
                      --work DIR
"""

import argparse
import json
import os
import sys
import time
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from devtools import Browser, DevToolsError  # noqa: E402


class Failure(Exception):
    pass


def save_settings(browser, settings):
    """Clicks Save and checks the page says where it saved."""
    browser.forget_events()
    browser.click("#save")
    browser.wait_event("Page.loadEventFired", 30)
    message = browser.evaluate(text_of("message"))
    check(message.startswith(f"Saved to {settings}."), f"the page says: {message!r}")


def check(condition, message):
    if not condition:
        raise Failure(message)


class Alpaca:
    """The daemon's Alpaca API, as an imaging program uses it (on 127.0.0.1)."""

    def __init__(self, base):
        self.base = base

    def _reply(self, request):
        with urllib.request.urlopen(request, timeout=30) as reply:
            body = json.load(reply)
        check(body.get("ErrorNumber") == 0, f"{request.full_url}: {body}")
        return body.get("Value")

    def get(self, device, member):
        return self._reply(urllib.request.Request(f"{self.base}/api/v1/{device}/0/{member}"))

    def put(self, device, member, **form):
        data = urllib.parse.urlencode(form).encode()
        return self._reply(urllib.request.Request(f"{self.base}/api/v1/{device}/0/{member}", data=data,
                                                  method="PUT"))

    def wait(self, device, member, value, what, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.get(device, member) == value:
                return
            time.sleep(0.1)
        raise Failure(f"timed out after {timeout} s waiting for {what}")


def text_of(element_id):
    """A JavaScript expression: the text of the element, '' if there is none."""
    return "((document.getElementById(%s)||{}).textContent||'')" % json.dumps(element_id)


def main():
    parser = argparse.ArgumentParser()
    for name in ("--chromium", "--base", "--artifacts", "--settings", "--work"):
        parser.add_argument(name, required=True)
    args = parser.parse_args()
    alpaca = Alpaca(args.base)
    shots = []

    def screenshot(browser, name, full_page=False):
        shots.append(browser.screenshot(os.path.join(args.artifacts, name), full_page))

    browser = Browser(args.chromium, os.path.join(args.work, "profile"),
                      log_path=os.path.join(args.work, "chromium.log"))
    try:
        # 1. The focuser's page before anything is connected.
        page = f"{args.base}/setup/v1/focuser/0/setup"
        browser.navigate(page)
        for element in ("status", "last-frame", "preview-image", "jog-near-7", "jog-far-1", "home", "halt",
                        "learn", "learn-name", "learn-start", "learn-cancel", "settings-form", "s-raw_type",
                        "log-lines"):
            check(browser.evaluate("!!document.getElementById(%s)" % json.dumps(element)), f"the page lacks #{element}")
        check(browser.evaluate(text_of("f-focus_position")) == "focuser not connected",
              "the focuser is not shown as not connected")
        check(browser.evaluate("document.getElementById('preview-image').hidden&&"
                               "document.getElementById('preview-image').getBoundingClientRect().height===0"),
              "the last-frame image shows before any frame")
        check(browser.evaluate("document.title").startswith("Focuser 0"), "wrong title")
        check(browser.evaluate("document.getElementById('learn-start').disabled&&"
                               "!document.getElementById('learn-state').hidden"),
              "Start is not off, or does not say why, before the focuser is connected")
        screenshot(browser, "1-focuser-disconnected.png")

        # 2. An imaging program connects the focuser and moves it; the page follows by itself.
        alpaca.put("focuser", "connected", Connected="true")
        alpaca.put("focuser", "move", Position="1000")
        alpaca.wait("focuser", "ismoving", False, "the focuser to reach 1000", 60)
        browser.wait_for(text_of("f-focuser_connected") + "==='yes'", "the page to show the focuser connected")
        before = alpaca.get("focuser", "position")

        # 3. A person taps "5" under Near: one step of size 5 toward near.
        browser.click("#jog-near-5")
        browser.wait_for(text_of("focus-result") + ".indexOf('jogging near by one step of size 5')>=0",
                         "the jog's answer under the buttons")
        deadline = time.monotonic() + 30
        after = before
        while time.monotonic() < deadline and (after == before or alpaca.get("focuser", "ismoving")):
            time.sleep(0.1)
            after = alpaca.get("focuser", "position")
        check(after < before, f"the jog did not move the focuser nearer ({before} -> {after})")
        browser.wait_for(text_of("f-focus_position") + ".indexOf(%s)===0&&" % json.dumps(f"{after} of ") +
                         text_of("f-focus_activity") + "==='idle'", f"the page to show position {after}, idle")
        print(f"jog near, size 5: the focuser went from {before} to {after}")
        screenshot(browser, "2-focuser-after-jog.png")

        # 4. Settings chosen in the form, saved with the Save button (the page reloads with the answer).
        choices = {"focuser_approach": "near", "keep_raw": "true", "raw_type": "Compressed RAW"}
        for name, value in choices.items():
            browser.evaluate("(function(){var s=document.getElementById(%s);s.value=%s;"
                             "s.dispatchEvent(new Event('change',{bubbles:true}));return s.value;})()"
                             % (json.dumps("s-" + name), json.dumps(value)))
        save_settings(browser, args.settings)
        with open(args.settings) as f:
            saved = json.load(f)
        check(saved == {"focuser_approach": "near", "keep_raw": True, "raw_type": "Compressed RAW"},
              f"{args.settings} holds {saved}")
        check(browser.evaluate("document.getElementById('s-raw_type').value") == "Compressed RAW",
              "the form does not show the saved RAW type")
        check(browser.evaluate(text_of("settings-file")).startswith(f"Saved to {args.settings}, the daemon's own"),
              "the form does not say where it saves")
        print(f"saved through the form: {json.dumps(saved)}")
        screenshot(browser, "3-settings-saved.png")

        # 5. The camera takes a frame; the page shows it without a reload.
        alpaca.put("camera", "connected", Connected="true")
        alpaca.put("camera", "startexposure", Duration="1", Light="true")
        alpaca.wait("camera", "imageready", True, "the camera's image", 120)
        browser.wait_for("(function(){var i=document.getElementById('preview-image');return !i.hidden&&i.complete"
                         "&&i.naturalWidth>0&&i.getAttribute('data-frame')==='1';})()",
                         "the page to show the last frame")
        width = browser.evaluate("document.getElementById('preview-image').naturalWidth")
        check(300 <= width <= 640, f"the preview is {width} pixels wide")
        check(browser.evaluate(text_of("f-last_frame")).startswith("#1, 1.000 s at "), "no caption for the frame")
        # Its figures: stars and HFR as text, the histograms drawn on the canvas.
        browser.wait_for("(function(){var f=document.getElementById('fs-figures');return !f.hidden&&"
                         "document.getElementById('fs-frame').textContent.indexOf('frame #1 ')===0;})()",
                         "the page to show the last frame's figures")
        stars = browser.evaluate(text_of("fs-stars"))
        check(stars[:1].isdigit() and int(stars.split()[0]) > 0, f"no stars in the figures: {stars!r}")
        hfr = browser.evaluate(text_of("fs-hfr"))
        check(" px" in hfr, f"no HFR in the figures: {hfr!r}")
        check(browser.evaluate("(function(){var c=document.getElementById('fs-histogram'),"
                               "d=c.getContext('2d').getImageData(0,0,c.width,c.height).data;"
                               "for(var i=3;i<d.length;i+=4)if(d[i]>0)return true;return false;})()"),
              "the histogram canvas is blank")
        print(f"the figures show: {stars} stars, HFR {hfr}")
        with urllib.request.urlopen(f"{args.base}/setup/preview.jpg", timeout=30) as reply:
            check(reply.headers.get("Content-Type") == "image/jpeg", "preview.jpg is not image/jpeg")
            check(reply.read(2) == b"\xff\xd8", "preview.jpg is not a JPEG")
        browser.evaluate("document.getElementById('last-frame').scrollIntoView()")
        print(f"the last frame shows, {width} pixels wide")
        screenshot(browser, "4-last-frame.png")

        # 6. The lens-learning wizard: a name typed, Start; the progress shows, the jog is off meanwhile;
        # at the end the result and the saved profile, and how to make it the default.
        check(browser.evaluate("!document.getElementById('learn-start').disabled"),
              "Start is disabled with the focuser connected")
        browser.click("#learn-name")
        browser.evaluate("document.getElementById('learn-name').value='SELP1650 browser'")
        started = time.monotonic()
        browser.click("#learn-start")
        browser.wait_for(text_of("learn-result") + ".indexOf('learning the lens as \"SELP1650 browser\"')===0",
                         "the wizard's answer to Start")
        browser.wait_for("!document.getElementById('learn-progress').hidden&&document.getElementById('learn-start')"
                         ".disabled&&document.getElementById('jog-far-1').disabled&&document.getElementById('home')"
                         ".disabled", "the progress shown, Start and the jog buttons off", 10)
        browser.wait_for("Number(document.getElementById('learn-bar').value)>0||"
                         "!document.getElementById('learn-error').hidden", "some progress", 90)
        check(browser.evaluate("document.getElementById('learn-error').hidden"),
              "learning failed: " + browser.evaluate(text_of("learn-error")))
        browser.evaluate("document.getElementById('learn').scrollIntoView()")
        progress = browser.evaluate(text_of("learn-percent") + "+' '+" + text_of("learn-phase") + "+': '+" +
                                    text_of("learn-message"))
        print(f"learning: {progress}")
        screenshot(browser, "5-learning-progress.png")
        browser.wait_for("!document.getElementById('learn-done').hidden||!document.getElementById('learn-error')"
                         ".hidden", "the learning to end", 600)
        check(browser.evaluate("document.getElementById('learn-error').hidden"),
              "learning failed: " + browser.evaluate(text_of("learn-error")))
        seconds = time.monotonic() - started
        profile = os.path.join(os.path.dirname(args.settings), "lenses", "SELP1650_browser.json")
        shown = browser.evaluate(text_of("learn-file"))
        check(shown == profile, f"the page says the profile is in {shown!r}, not {profile}")
        check(os.path.isfile(profile), f"no profile file {profile}")
        with open(profile) as f:
            check(json.load(f)["lenses"][0]["model_id"] == "SELP1650 browser", f"{profile} names another lens")
        summary = browser.evaluate(text_of("learn-summary"))
        check(summary.startswith("SELP1650 browser: moves per size "), f"the result line is {summary!r}")
        hint = browser.evaluate(text_of("learn-hint"))
        check(hint.startswith("The focuser uses this profile now") and "Settings → lens" in hint,
              f"the hint is {hint!r}")
        check(browser.evaluate("Array.prototype.some.call(document.getElementById('s-lens').options,"
                               "function(o){return o.value==='SELP1650 browser';})"),
              "the settings' lens field does not offer the learned profile")
        browser.wait_for("!document.getElementById('learn-start').disabled&&!document.getElementById('jog-far-1')"
                         ".disabled", "Start and the jog buttons on again", 10)
        check(alpaca.get("focuser", "ismoving") is False, "the focuser still moves after learning")
        max_step = alpaca.get("focuser", "maxstep")
        check(alpaca.get("focuser", "position") == max_step, "the focuser is not at the infinity stop after learning")
        browser.evaluate("document.getElementById('learn').scrollIntoView()")
        print(f"learned in {seconds:.0f} s: {summary}; MaxStep now {max_step}")
        screenshot(browser, "6-learning-done.png")
        # As the hint says: the learned profile chosen in the settings, for the next start.
        browser.evaluate("(function(){var s=document.getElementById('s-lens');s.value='SELP1650 browser';"
                         "s.dispatchEvent(new Event('change',{bubbles:true}));})()")
        save_settings(browser, args.settings)
        with open(args.settings) as f:
            check(json.load(f).get("lens") == "SELP1650 browser", f"{args.settings} does not name the learned lens")
        check(browser.evaluate("document.getElementById('s-lens').value") == "SELP1650 browser",
              "the form does not show the learned lens as chosen")

        # 7. The whole overview page.
        browser.navigate(f"{args.base}/setup")
        browser.wait_for("document.getElementById('preview-image').naturalWidth>0", "the overview's last frame")
        screenshot(browser, "7-overview-full.png", full_page=True)
    except (Failure, DevToolsError):
        try:  # what the page showed when it went wrong
            print("the page when it failed: " + browser.screenshot(os.path.join(args.artifacts, "failed.png"), True))
        except (DevToolsError, OSError):
            pass
        raise
    finally:
        browser.close()
    for shot in shots:
        check(os.path.getsize(shot) > 1000, f"{shot} is empty")
    print("screenshots: " + ", ".join(shots))


if __name__ == "__main__":
    try:
        main()
    except (Failure, DevToolsError, OSError) as error:
        print(f"FAIL: {error}")
        sys.exit(1)
