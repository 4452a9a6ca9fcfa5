#!/usr/bin/env bash
# Checks the shipped default config file (systemd/config.json, installed as
# /etc/sonyalpaca/config.json): it names every key the daemon knows, and the daemon starts with it
# and stops cleanly. Talks to 127.0.0.1 only, on ephemeral ports.
#   scripts/check-default-config.sh BINARY CONFIG
set -euo pipefail
binary=${1:?usage: check-default-config.sh BINARY CONFIG}
config=${2:?usage: check-default-config.sh BINARY CONFIG}

fail() { echo "check-default-config: FAIL: $*" >&2; exit 1; }

# Every key of the schema (as --help lists them) appears in the file, set or commented out.
mapfile -t keys < <("$binary" --help | sed -n 's/.*\[config key "\([a-z_]*\)"\].*/\1/p')
[ ${#keys[@]} -gt 0 ] || fail "no config keys found in \"$binary --help\""
for key in "${keys[@]}"; do
  grep -q "\"$key\":" "$config" || fail "$config does not mention the key \"$key\""
done
echo "check-default-config: $config names all ${#keys[@]} keys: ${keys[*]}"

# The daemon accepts the file: it gets ready, then stops on SIGTERM with exit code 0.
work=$(mktemp -d "${TMPDIR:-/tmp}/sonyalpaca-config.XXXXXX")
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
"$binary" serve --config "$config" --state-dir "$work/state" --bind 127.0.0.1 --port 0 --discovery-port 0 \
  >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  if grep -q "Alpaca API listening" "$work/log"; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  sleep 0.1
done
if ! grep -q "Alpaca API listening" "$work/log"; then
  cat "$work/log" >&2
  fail "the daemon did not get ready with $config"
fi
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
cat "$work/log"
[ "$status" -eq 0 ] || fail "the daemon exited with $status after SIGTERM (expected 0)"
echo "check-default-config: OK, the daemon runs with $config"
