#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The setup pages in headless Chromium at phone size, as a person uses them (setup-pages.sh starts
the daemon): the page renders; a mouse click on a jog button moves the focuser; settings chosen in
the form and saved with the Save button land in the settings file; the last frame appears, with its
figures (stars, HFR, a histogram), when the camera takes one; the lens-learning wizard learns the
lens, shows its progress and where the profile was saved; the Body panel warns of a low battery once
the simulator's battery is set low. Screenshots of each step go to the artifact directory.

Then the live view at night: frames arrive, a tap on the brightest star magnifies it 1:1, the focus
figure peaks at the virtual body's best focus as the lens is driven through it and drops with a
jog, an exposure pauses it, and Start is refused while one runs.

Usage: setup_pages.py --chromium PATH --base http://127.0.0.1:PORT --artifacts DIR --settings FILE
                      --work DIR --control http://127.0.0.1:PORT (the virtual body's control port)
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


def put_form(url, **form):
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(), method="PUT")
    with urllib.request.urlopen(request, timeout=10) as reply:
        check(reply.status == 200, f"PUT {url}: {reply.status}")


def simulator(control):
    """The virtual body's state (its control port's GET /status)."""
    with urllib.request.urlopen(f"{control}/status", timeout=10) as reply:
        return json.load(reply)


def live_view(browser, alpaca, control, screenshot):
    """The live view page: Start, frames, the magnifier, the focus figure through focus, an exposure."""
    check(browser.evaluate("location.pathname") == "/setup/live", "the link did not open /setup/live")
    for element in ("live-start", "live-stop", "live-image", "live-mag", "live-figure", "live-trend", "jog-far-1"):
        check(browser.evaluate("!!document.getElementById(%s)" % json.dumps(element)), f"the live page lacks #{element}")
    frame = "Number(document.getElementById('live-image').getAttribute('data-frame'))"
    browser.click("#live-start")
    browser.wait_for(frame + ">=2&&" + text_of("live-figure") + "!=='–'", "live-view frames", 30)
    # From the first frame on, the image is never blank between two frames (every 4 ms the page is
    # looked at): a new frame replaces the old only once it is decoded.
    browser.evaluate("(function(){var i=document.getElementById('live-image');window.liveLooks=[0,0];"
                     "window.liveWatch=setInterval(function(){++liveLooks[0];if(!i.naturalWidth)++liveLooks[1];},4);"
                     "})()")
    first, started = browser.evaluate(frame), time.monotonic()
    time.sleep(3)
    frames = browser.evaluate(frame) - first
    rate = frames / (time.monotonic() - started)
    print(f"live view in the page: {rate:.1f} frames/s")
    check(rate >= 2, f"the live view shows {rate:.1f} frames/s")
    looks, blank = browser.evaluate("clearInterval(window.liveWatch),window.liveLooks")
    print(f"the image looked at {looks} times over {frames} new frames: blank {blank} times")
    check(looks >= 100 and blank == 0, f"the live image was blank {blank} of {looks} times it was looked at")
    check(browser.evaluate(text_of("live-state")) == "running", "the state is not 'running'")

    # At night: the live view shows stars; the lens at best focus, a tap on the brightest star marks it
    # and the magnifier shows its pixels, and the figure is measured there.
    put_form(f"{control}/live-view", scene="stars")
    state = simulator(control)
    travel, focus = state["lens_travel"], state["best_focus"]
    check(state["live_view_focus"] == focus, f"the live view of stars is sharp at {state['live_view_focus']}")
    alpaca.put("focuser", "move", Position=str(round(focus)))
    alpaca.wait("focuser", "ismoving", False, "the focuser to reach best focus", 60)
    seen = browser.evaluate(frame)
    browser.wait_for(frame + f">={seen + 3}", "three new frames", 15)
    star = browser.evaluate(
        "(function(){var i=document.getElementById('live-image'),c=document.createElement('canvas');"
        "c.width=i.naturalWidth;c.height=i.naturalHeight;var g=c.getContext('2d');g.drawImage(i,0,0);"
        "var d=g.getImageData(0,0,c.width,c.height).data,best=-1,at=0;"
        "for(var y=70;y<c.height-70;++y)for(var x=70;x<c.width-70;++x){var v=d[(y*c.width+x)*4];"
        "if(v>best){best=v;at=y*c.width+x;}}"
        "return [(at%c.width+0.5)/c.width,(Math.floor(at/c.width)+0.5)/c.height,best];})()")
    check(star[2] >= 200, f"no bright star in the live view (brightest level {star[2]})")
    browser.click("#live-image", star[0], star[1])
    box = browser.evaluate("(function(){var i=document.getElementById('live-image').getBoundingClientRect(),"
                           "b=document.getElementById('live-box').getBoundingClientRect();"
                           "return [(b.left+b.width/2-i.left)/i.width,(b.top+b.height/2-i.top)/i.height];})()")
    check(abs(box[0] - star[0]) < 0.02 and abs(box[1] - star[1]) < 0.02,
          f"the magnified spot is marked at {box}, the tap was at {star[:2]}")
    browser.wait_for("(function(){var c=document.getElementById('live-mag').getContext('2d').getImageData(0,0,128,"
                     "128).data,m=0;for(var i=0;i<c.length;i+=4)m=Math.max(m,c[i]);return m>=200;})()",
                     "the magnifier to show the star")

    # The lens driven through focus: the figure of the star peaks at the virtual body's best focus.
    samples = []
    for offset in (-0.3, -0.15, -0.06, -0.02, 0.0, 0.02, 0.04):
        target = round(min(max(focus + offset * travel, 0), travel))
        alpaca.put("focuser", "move", Position=str(target))
        alpaca.wait("focuser", "ismoving", False, f"the focuser to reach {target}", 60)
        seen = browser.evaluate(frame)
        browser.wait_for(frame + f">={seen + 3}", "three new frames", 15)
        samples.append((simulator(control)["lens_position"], float(browser.evaluate(text_of("live-figure")))))
    print("focus figure through focus (lens position, figure): " +
          ", ".join(f"({p:.0f}, {f:.1f})" for p, f in samples) + f"; best focus at {focus:.0f}")
    best = max(samples, key=lambda sample: sample[1])
    check(abs(best[0] - focus) <= 0.03 * travel, f"the figure peaks at {best[0]:.0f}, not near {focus:.0f}")
    check(best[1] > 5 * samples[0][1], f"the figure at focus ({best[1]}) is not well above far off ({samples[0][1]})")
    alpaca.put("focuser", "move", Position=str(round(focus)))
    alpaca.wait("focuser", "ismoving", False, "the focuser to reach best focus", 60)
    seen = browser.evaluate(frame)
    browser.wait_for(frame + f">={seen + 3}", "three new frames", 15)
    screenshot(browser, "10-live-view-in-focus.png")
    # A jog from the page moves the lens out of focus: the figure drops.
    before = float(browser.evaluate(text_of("live-figure")))
    browser.click("#jog-near-7")
    browser.wait_for(text_of("focus-result") + ".indexOf('jogging near')===0", "the jog's answer")
    alpaca.wait("focuser", "ismoving", False, "the jog to end", 30)
    seen = browser.evaluate(frame)
    browser.wait_for(frame + f">={seen + 3}", "three new frames", 15)
    after = float(browser.evaluate(text_of("live-figure")))
    print(f"a jog near by size 7: the figure went from {before:.1f} to {after:.1f}")
    check(after < 0.8 * before, f"the figure did not drop with the jog ({before} -> {after})")

    # An exposure pauses the live view, which goes on by itself afterwards.
    alpaca.put("camera", "startexposure", Duration="2", Light="true")
    browser.wait_for(text_of("live-state") + ".indexOf('paused while an exposure is running')===0",
                     "the page to say the live view is paused", 10)
    paused_at = browser.evaluate(frame)
    screenshot(browser, "11-live-view-paused.png")
    alpaca.wait("camera", "imageready", True, "the exposure", 120)
    browser.wait_for(frame + f">{paused_at}&&" + text_of("live-state") + "==='running'", "the live view to go on", 20)
    # Stopped, it cannot start while an exposure runs; the page says why.
    browser.click("#live-stop")
    browser.wait_for(text_of("live-state") + ".indexOf('stopped')>=0&&!document.getElementById('live-start').disabled",
                     "the live view to stop, and Start on again")
    alpaca.put("camera", "startexposure", Duration="2", Light="true")
    browser.click("#live-start")
    browser.wait_for(text_of("live-state") + ".indexOf('cannot start while an exposure is running')>=0",
                     "the page to say why it cannot start", 10)
    screenshot(browser, "12-live-view-refused.png")
    alpaca.wait("camera", "imageready", True, "the exposure", 120)
    browser.click("#live-stop")


def text_of(element_id):
    """A JavaScript expression: the text of the element, '' if there is none."""
    return "((document.getElementById(%s)||{}).textContent||'')" % json.dumps(element_id)


def check_battery_warning(browser, args, screenshot):
    """The Body panel with the body open: no battery warning at full battery; once the simulator's
    control port sets the body's battery to 10 %, the warning shows by itself (the daemon reads the
    body every 10 s while idle, the page asks every 2 s). The battery is full again afterwards."""
    def set_health(**form):
        request = urllib.request.Request(f"{args.control}/health", data=urllib.parse.urlencode(form).encode(),
                                         method="PUT")
        with urllib.request.urlopen(request, timeout=10) as reply:
            check(reply.status == 200, f"PUT /health {form}: {reply.status}")

    def warning_shown():
        return browser.evaluate("(function(){var w=document.getElementById('battery-warning');"
                                "return !w.hidden&&w.getBoundingClientRect().height>0;})()")

    browser.navigate(f"{args.base}/setup")
    for element in ("body-health", "battery-warning", "f-battery", "f-power_source", "f-card", "f-remaining_shots",
                    "f-body_temperatures", "f-overheat"):
        check(browser.evaluate("!!document.getElementById(%s)" % json.dumps(element)), f"the page lacks #{element}")
    check(browser.evaluate("document.getElementById('status').nextElementSibling.id") == "body-health",
          "the Body panel does not follow the status panel")
    browser.wait_for(text_of("f-battery") + "==='100 % (4/4)'&&" + text_of("f-power_source") + "==='battery'",
                     "the Body panel to show a full battery", 30)
    check(not warning_shown(), "the battery warning shows at full battery")
    check(browser.evaluate(text_of("f-card")) == "in", "the card is not shown as in")
    browser.evaluate("document.getElementById('body-health').scrollIntoView()")
    screenshot(browser, "8-body-battery-full.png")

    set_health(battery="10")
    started = time.monotonic()
    browser.wait_for("!document.getElementById('battery-warning').hidden", "the low-battery warning", 30)
    seconds = time.monotonic() - started
    check(warning_shown(), "the battery warning is not visible")
    check(browser.evaluate("document.getElementById('battery-warning').className") == "msg err",
          "the battery warning is not an error box")
    text = browser.evaluate(text_of("battery-warning"))
    check("battery is low (10 %" in text and "USB" in text and "dummy battery" in text,
          f"the warning says {text!r}")
    check(browser.evaluate(text_of("f-battery")) == "10 % (1/4), low", "the battery row does not say low")
    browser.evaluate("document.getElementById('body-health').scrollIntoView()")
    print(f"battery at 10 %: the page warned after {seconds:.1f} s: {text}")
    screenshot(browser, "9-body-battery-low.png")
    set_health(battery="100")
    browser.wait_for("document.getElementById('battery-warning').hidden", "the warning to go at full battery", 30)


def main():
    parser = argparse.ArgumentParser()
    for name in ("--chromium", "--base", "--artifacts", "--settings", "--work", "--control"):
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

        # 8. The Body panel's low-battery warning (the simulator's battery set through its control port).
        check_battery_warning(browser, args, screenshot)

        # 9. The live view, from the overview's link.
        browser.navigate(f"{args.base}/setup")
        browser.forget_events()
        browser.click("#open-live")
        browser.wait_event("Page.loadEventFired", 30)
        live_view(browser, alpaca, args.control, screenshot)
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
