#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The setup pages in headless Chromium at phone size, against `sonyalpaca serve` on 127.0.0.1 with a
# virtual body (`sonyalpaca simulate-body`: a short zoom, SELP1650, its focus motor 5x faster so
# learning it takes about a minute), started as the packaged service starts it: without --config,
# so the page saves to STATE_DIR/settings.json. setup_pages.py drives Chromium through the DevTools
# protocol (over Debian's python3-websocket): it clicks a jog button and checks the focuser moved,
# chooses settings in the form and clicks Save and checks the settings file, waits for the camera's
# last frame to appear, learns the lens with the wizard, sets the virtual body's battery low through
# the simulator's control port to see the Body panel's warning, and uses the live view at night
# (frames, the 1:1 magnifier on a star, the focus figure through focus, paused and refused by an
# exposure); screenshots of each step are kept in ARTIFACT_DIR.
#
# Usage: setup-pages.sh SONYALPACA_EXECUTABLE ARTIFACT_DIR
# Fails when chromium, python3 or python3-websocket is missing (scripts/install-deps.sh installs them).
set -euo pipefail

exe=${1:?usage: setup-pages.sh SONYALPACA_EXECUTABLE ARTIFACT_DIR}
artifacts=${2:?usage: setup-pages.sh SONYALPACA_EXECUTABLE ARTIFACT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
chromium=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $chromium ]]; then
    echo "FAIL: chromium is not installed: run scripts/install-deps.sh (or apt-get install chromium)"
    exit 1
fi
# Debian's interpreter, the one python3-websocket installs into (a pyenv or venv python3 on PATH lacks it).
python=/usr/bin/python3
if [[ ! -x $python ]]; then
    echo "FAIL: $python is not installed: run scripts/install-deps.sh (or apt-get install python3)"
    exit 1
fi
if ! "$python" -c 'import websocket' 2> /dev/null; then
    echo "FAIL: $python cannot import websocket: run scripts/install-deps.sh (or apt-get install python3-websocket)"
    exit 1
fi

work=$(mktemp -d /tmp/sonyalpaca-browser.XXXXXX)
daemon=
simulator=
cleanup() {
    if [[ -n $daemon ]]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
    if [[ -n $simulator ]]; then kill "$simulator" 2>/dev/null || true; wait "$simulator" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$artifacts"
rm -f "$artifacts"/*.png "$artifacts"/*.log
fail() {
    echo "FAIL: $*"
    cp "$work/daemon.log" "$artifacts/daemon.log" 2>/dev/null || true
    cp "$work/simulator.log" "$artifacts/simulator.log" 2>/dev/null || true
    cp "$work/chromium.log" "$artifacts/chromium.log" 2>/dev/null || true
    echo "daemon, simulator and chromium logs in $artifacts"
    exit 1
}

# The port a process logs after `what` and a space (or the fourth argument) on 127.0.0.1 (10 s at most,
# or until it ends); empty if none.
port_from_log() {
    local log=$1 what=$2 pid=$3 gap=${4- } found=
    for _ in $(seq 1 100); do
        found=$(sed -n "s/.*$what${gap}127\\.0\\.0\\.1:\\([0-9]*\\).*/\\1/p" "$log" | head -n 1)
        [[ -n $found ]] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "$found"
}

"$exe" simulate-body --port 0 --control-port 0 --lens SELP1650 --apsc off --move-time-scale 0.2 --sensor-scale 8 \
    --seed 21 > "$work/simulator.log" 2>&1 &
simulator=$!
ptp_port=$(port_from_log "$work/simulator.log" 'serving PTP\/IP on' "$simulator")
[[ -n $ptp_port ]] || fail "the simulator did not start"
control_port=$(port_from_log "$work/simulator.log" 'simulator control on http:\/\/' "$simulator" '')
[[ -n $control_port ]] || fail "the simulator's control port did not open"

# The lens is named (its profile is shipped) so the focuser knows it before the first image.
"$exe" serve --camera "ptpip:127.0.0.1:$ptp_port" --lens SELP1650 --bind 127.0.0.1 --port 0 --no-discovery \
    --state-dir "$work/state" > "$work/daemon.log" 2>&1 &
daemon=$!
port=$(port_from_log "$work/daemon.log" 'Alpaca API listening on' "$daemon")
[[ -n $port ]] || fail "the daemon did not start listening"
base=http://127.0.0.1:$port
echo "daemon on $base; screenshots go to $artifacts"

# A write from a page of another site is refused (the token alone is not enough).
token=$(curl -sf "$base/setup" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)
[[ ${#token} -eq 32 ]] || fail "no form token in the page"
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Origin: http://evil.example" --data "csrf=$token&keep_raw=true" \
    "$base/setup/settings")
[[ $status == 403 ]] || fail "a settings change from another site was not refused ($status)"
[[ ! -e $work/state/settings.json ]] || fail "the refused change wrote the settings file"

"$python" -B "$here/setup_pages.py" --chromium "$chromium" --base "$base" --artifacts "$artifacts" \
    --settings "$work/state/settings.json" --work "$work" --control "http://127.0.0.1:$control_port" ||
    fail "the browser run failed"
grep -q 'setup: jog near by a step of size 5 requested from 127.0.0.1' "$work/daemon.log" || fail "the jog is not logged"
grep -q "setup: settings saved to $work/state/settings.json from 127.0.0.1" "$work/daemon.log" ||
    fail "the saved settings are not logged"
grep -q 'setup: lens learning as "SELP1650 browser" requested from 127.0.0.1' "$work/daemon.log" ||
    fail "the lens learning is not logged"
echo "PASS: screenshots in $artifacts:"
ls -1 "$artifacts"
