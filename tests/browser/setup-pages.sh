#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The setup pages in headless Chromium at phone size, against `sonyalpaca serve --camera simulator`
# on 127.0.0.1: the focuser page renders with its status, jog buttons, settings form and log; a jog
# and a settings change sent as the page's forms send them take effect; screenshots are kept.
#
# Usage: setup-pages.sh SONYALPACA_EXECUTABLE ARTIFACT_DIR
# Exits 77 (skipped) when chromium is not installed.
set -euo pipefail

exe=${1:?usage: setup-pages.sh SONYALPACA_EXECUTABLE ARTIFACT_DIR}
artifacts=${2:?usage: setup-pages.sh SONYALPACA_EXECUTABLE ARTIFACT_DIR}
chromium=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $chromium ]]; then
    echo "SKIP: chromium is not installed (apt-get install chromium to run this test)"
    exit 77
fi

work=$(mktemp -d /tmp/sonyalpaca-browser.XXXXXX)
daemon=
cleanup() {
    if [[ -n $daemon ]]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$artifacts"
echo '{"discovery": false}' > "$work/config.json"

"$exe" serve --camera simulator --bind 127.0.0.1 --port 0 --state-dir "$work/state" --config "$work/config.json" \
    > "$work/daemon.log" 2>&1 &
daemon=$!
port=
for _ in $(seq 1 100); do
    port=$(sed -n 's/.*Alpaca API listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/daemon.log" | head -n 1)
    [[ -n $port ]] && break
    sleep 0.1
done
if [[ -z $port ]]; then
    echo "FAIL: the daemon did not start listening"; cat "$work/daemon.log"; exit 1
fi
base=http://127.0.0.1:$port
page=$base/setup/v1/focuser/0/setup
echo "daemon on $base"

fail() { echo "FAIL: $*"; exit 1; }

browse() {  # browse NAME: screenshot and DOM of the focuser page after its script ran
    "$chromium" --headless --disable-gpu --no-sandbox --no-first-run --user-data-dir="$work/profile" \
        --window-size=412,915 --hide-scrollbars --virtual-time-budget=3000 \
        --screenshot="$artifacts/$1.png" "$page" > /dev/null 2>&1 || fail "chromium could not take a screenshot"
    "$chromium" --headless --disable-gpu --no-sandbox --no-first-run --user-data-dir="$work/profile" \
        --window-size=412,915 --virtual-time-budget=3000 --dump-dom "$page" > "$artifacts/$1.html" 2> /dev/null ||
        fail "chromium could not dump the DOM"
    [[ -s $artifacts/$1.png ]] || fail "no screenshot $1.png"
}

expect() {  # expect FILE TEXT...
    local file=$1; shift
    for text in "$@"; do grep -qF -- "$text" "$file" || fail "$file lacks: $text"; done
}

# 1. Before connecting: the page renders and says the focuser is not connected.
browse focuser-disconnected
expect "$artifacts/focuser-disconnected.html" 'id="status"' 'id="jog-near-7"' 'id="jog-far-1"' 'id="home"' \
    'id="halt"' 'id="settings-form"' 'id="log-lines"' 'focuser not connected' 'Focuser 0'

# 2. Connect the focuser over Alpaca and move it, as an imaging program would.
curl -sf -X PUT -d Connected=true "$base/api/v1/focuser/0/connected" > /dev/null || fail "connect"
curl -sf -X PUT -d Position=1000 "$base/api/v1/focuser/0/move" > /dev/null || fail "move"
for _ in $(seq 1 600); do
    curl -sf "$base/api/v1/focuser/0/ismoving" | grep -q '"Value":false' && break
    sleep 0.1
done
position() { curl -sf "$base/api/v1/focuser/0/position" | sed -n 's/.*"Value":\([0-9-]*\).*/\1/p'; }
before=$(position)
echo "focuser at $before"

# 3. A jog and a setting, sent as the page's forms send them (token from the page, Origin of the page).
token=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$artifacts/focuser-disconnected.html" | head -n 1)
[[ ${#token} -eq 32 ]] || fail "no form token in the page"
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Origin: http://evil.example" --data "csrf=$token&step=-5" \
    "$base/setup/focuser/jog")
[[ $status == 403 ]] || fail "a jog from another site was not refused ($status)"
curl -sf -H "Origin: $base" --data "csrf=$token&step=-5" "$base/setup/focuser/jog" > /dev/null || fail "jog"
for _ in $(seq 1 100); do
    curl -sf "$base/api/v1/focuser/0/ismoving" | grep -q '"Value":false' && break
    sleep 0.1
done
after=$(position)
echo "after a jog near of size 5: $after"
(( after < before )) || fail "the jog did not move the focuser nearer ($before -> $after)"
curl -sf -H "Origin: $base" --data "csrf=$token&focuser_approach=near&keep_raw=true" "$base/setup/settings" \
    > /dev/null || fail "saving settings"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d == {"discovery": False, "focuser_approach": "near", "keep_raw": True}, d' \
    "$work/config.json" || fail "the config file is not what was saved"

# 4. The page shows the connected focuser, its position and the saved settings.
browse focuser-connected
expect "$artifacts/focuser-connected.html" "$after of" '± ' 'value="near" selected' 'setup: jog near'
"$chromium" --headless --disable-gpu --no-sandbox --no-first-run --user-data-dir="$work/profile" \
    --window-size=412,2600 --hide-scrollbars --virtual-time-budget=3000 \
    --screenshot="$artifacts/focuser-full.png" "$page" > /dev/null 2>&1 || fail "full-page screenshot"
echo "PASS: screenshots in $artifacts"
