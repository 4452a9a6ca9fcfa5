#!/usr/bin/env bash
# One exposure through the Alpaca API, end to end, against any sonyalpaca binary: starts
#   COMMAND... serve --camera simulator --bind 127.0.0.1 --port 0 --discovery-port 0 --no-discovery
# (COMMAND is the binary, optionally behind an emulator), reads the port it chose from its log,
# connects camera 0, takes a 1 s light frame, waits for ImageReady, downloads the image as ImageBytes
# and checks its 44-byte header and its size, then stops the daemon with SIGTERM and expects exit 0.
# Every wait is bounded. Talks to 127.0.0.1 only. Needs curl and od.
#   scripts/smoke-exposure.sh build/server/sonyalpaca
#   scripts/smoke-exposure.sh qemu-aarch64-static -L / build-arm64/server/sonyalpaca    (arm64, emulated)
# Environment: SMOKE_READY_SECONDS (default 120: start-up), SMOKE_IMAGE_SECONDS (default 300: exposure,
# download from the virtual body and decoding; all much slower under emulation).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: smoke-exposure.sh [EMULATOR ARGS...] BINARY" >&2; exit 2; }
ready_seconds=${SMOKE_READY_SECONDS:-120}
image_seconds=${SMOKE_IMAGE_SECONDS:-300}

fail() { echo "smoke-exposure: FAIL: $*" >&2; exit 1; }
for tool in curl od; do command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing"; done

work=$(mktemp -d "${TMPDIR:-/tmp}/sonyalpaca-smoke.XXXXXX")
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
started=$SECONDS
: >"$work/config.json"  # an empty config: nothing from /etc/sonyalpaca/config.json
"$@" serve --camera simulator --config "$work/config.json" --state-dir "$work/state" \
  --bind 127.0.0.1 --port 0 --discovery-port 0 --no-discovery >"$work/log" 2>&1 &
pid=$!

show_log() { echo "--- daemon log:" >&2; tail -n 40 "$work/log" >&2; }
port=
deadline=$((SECONDS + ready_seconds))
while [ $SECONDS -lt $deadline ]; do
  port=$(sed -n 's/.*Alpaca API listening on .*:\([0-9][0-9]*\).*/\1/p' "$work/log" | head -n 1)
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || { show_log; fail "the daemon exited before it listened"; }
  sleep 0.2
done
[ -n "$port" ] || { show_log; fail "the daemon did not listen within $ready_seconds s"; }
echo "smoke-exposure: listening on port $port after $((SECONDS - started)) s"
api="http://127.0.0.1:$port/api/v1/camera/0"
transaction=0

put() {  # put METHOD FORM: the JSON answer must carry ErrorNumber 0
  transaction=$((transaction + 1))
  local answer
  answer=$(curl -sS --max-time 60 -X PUT -d "$2&ClientID=1&ClientTransactionID=$transaction" "$api/$1") ||
    { show_log; fail "PUT $1 failed"; }
  grep -q '"ErrorNumber": *0[,}]' <<<"$answer" || { show_log; fail "PUT $1 $2 answered: $answer"; }
}
get() {  # get METHOD: prints the JSON answer
  transaction=$((transaction + 1))
  curl -sS --max-time 60 "$api/$1?ClientID=1&ClientTransactionID=$transaction" || { show_log; fail "GET $1 failed"; }
}

put connected "Connected=true"
get connected | grep -q '"Value": *true' || { show_log; fail "camera 0 is not connected"; }
echo "smoke-exposure: connected after $((SECONDS - started)) s"
put startexposure "Duration=1&Light=true"
exposed=$SECONDS
ready=
deadline=$((SECONDS + image_seconds))
while [ $SECONDS -lt $deadline ]; do
  answer=$(get imageready)
  if grep -q '"Value": *true' <<<"$answer"; then ready=yes; break; fi
  grep -q '"ErrorNumber": *0[,}]' <<<"$answer" || { show_log; fail "ImageReady answered: $answer"; }
  sleep 0.5
done
[ -n "$ready" ] || { show_log; fail "no image within $image_seconds s"; }
echo "smoke-exposure: image ready $((SECONDS - exposed)) s after StartExposure"

transaction=$((transaction + 1))
status=$(curl -sS --max-time 120 -H 'Accept: application/imagebytes' -o "$work/image" -w '%{http_code} %{content_type}' \
  "$api/imagearray?ClientID=1&ClientTransactionID=$transaction") || { show_log; fail "GET imagearray failed"; }
[ "${status%% *}" = 200 ] || fail "imagearray: HTTP $status"
[[ ${status#* } == application/imagebytes* ]] || fail "imagearray: content type ${status#* }, expected application/imagebytes"
size=$(stat -c %s "$work/image")
[ "$size" -ge 44 ] || fail "imagearray: only $size bytes"
read -r version error_number client_id _server_id data_start image_type transmission_type rank d1 d2 d3 \
  < <(od -An -v -t d4 -N 44 "$work/image" | tr -s ' \n' '  '; echo)
[ "$version" = 1 ] || fail "ImageBytes metadata version $version, expected 1"
[ "$error_number" = 0 ] || fail "ImageBytes error number $error_number"
[ "$client_id" = "$transaction" ] || fail "ImageBytes client transaction $client_id, expected $transaction"
[ "$data_start" = 44 ] || fail "ImageBytes data start $data_start, expected 44"
[ "$rank" = 2 ] || [ "$rank" = 3 ] || fail "ImageBytes rank $rank"
case "$transmission_type" in
  6) element=1 ;;            # Byte
  1 | 8) element=2 ;;        # Int16, UInt16
  2 | 4 | 9) element=4 ;;    # Int32, Single, UInt32
  3 | 5 | 7) element=8 ;;    # Double, UInt64, Int64
  *) fail "ImageBytes transmission element type $transmission_type" ;;
esac
planes=1
[ "$rank" = 3 ] && planes=$d3
[ "$d1" -gt 0 ] && [ "$d2" -gt 0 ] || fail "ImageBytes dimensions ${d1}x$d2"
expected=$((44 + d1 * d2 * planes * element))
[ "$size" -eq "$expected" ] || fail "ImageBytes: $size bytes, expected $expected for ${d1}x${d2}x$planes of $element bytes"
echo "smoke-exposure: ImageBytes ${d1}x$d2 (rank $rank, image type $image_type, sent as type $transmission_type), $size bytes"

kill -TERM "$pid"
stopped=$SECONDS
exit_status=
while [ $((SECONDS - stopped)) -lt 30 ]; do
  if ! kill -0 "$pid" 2>/dev/null; then
    exit_status=0
    wait "$pid" || exit_status=$?
    break
  fi
  sleep 0.1
done
[ -n "$exit_status" ] || { show_log; fail "the daemon did not stop within 30 s of SIGTERM"; }
pid=
[ "$exit_status" -eq 0 ] || { show_log; fail "the daemon exited with $exit_status after SIGTERM (expected 0)"; }
echo "smoke-exposure: OK: stopped with exit code 0 $((SECONDS - stopped)) s after SIGTERM; $((SECONDS - started)) s in all"
