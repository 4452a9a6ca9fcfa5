#!/usr/bin/env bash
# Checks that the daemon stays inside the sandbox of its unit: it runs the daemon under strace with
# the shipped default config (camera "auto": USB enumeration and hot-plug), asks it over HTTP and
# Alpaca discovery on 127.0.0.1, stops it with SIGTERM, and then compares
#   - every system call it made with the unit's SystemCallFilter= lines (allow list, then ~deny list);
#   - every socket family it opened with RestrictAddressFamilies=.
# A failure here means a system call or socket would fail with EPERM/EAFNOSUPPORT under systemd.
#   scripts/check-syscall-filter.sh BINARY UNIT CONFIG
set -euo pipefail
binary=${1:?usage: check-syscall-filter.sh BINARY UNIT CONFIG}
unit=${2:?usage: check-syscall-filter.sh BINARY UNIT CONFIG}
config=${3:?usage: check-syscall-filter.sh BINARY UNIT CONFIG}

fail() { echo "check-syscall-filter: FAIL: $*" >&2; exit 1; }
for tool in strace systemd-analyze; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing; run scripts/install-deps.sh"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/sonyalpaca-syscalls.XXXXXX")
tracer=
cleanup() {
  if [ -n "$tracer" ]; then kill -KILL "$tracer" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Expands a system call group (@name) of systemd into system call names, recursively.
expand() {
  local entry
  if [ "${1#@}" = "$1" ]; then echo "$1"; return; fi
  systemd-analyze syscall-filter "$1" | sed -n 's/^    \([@a-z0-9_-]*\)$/\1/p' | while read -r entry; do expand "$entry"; done
}
: >"$work/allowed"
: >"$work/denied"
while IFS= read -r line; do
  value=${line#SystemCallFilter=}
  list=allowed
  if [ "${value#\~}" != "$value" ]; then list=denied; value=${value#\~}; fi
  for entry in $value; do expand "$entry" >>"$work/$list"; done
done < <(grep '^SystemCallFilter=' "$unit")
sort -u -o "$work/allowed" "$work/allowed"
sort -u -o "$work/denied" "$work/denied"
[ -s "$work/allowed" ] || fail "$unit has no SystemCallFilter= allow list"
families=$(sed -n 's/^RestrictAddressFamilies=//p' "$unit")
[ -n "$families" ] || fail "$unit has no RestrictAddressFamilies="

# Run the daemon under strace: ready, one HTTP request, one discovery datagram, SIGTERM.
strace -f -qq -o "$work/trace" "$binary" serve --config "$config" --state-dir "$work/state" \
  --bind 127.0.0.1 --port 0 --discovery-port 0 >"$work/log" 2>&1 &
tracer=$!
for _ in $(seq 150); do
  grep -q "Alpaca discovery on UDP port" "$work/log" && break
  kill -0 "$tracer" 2>/dev/null || break
  sleep 0.1
done
port=$(sed -n 's/.*Alpaca API listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/log" | head -n1)
discovery_port=$(sed -n 's/.*Alpaca discovery on UDP port \([0-9]*\).*/\1/p' "$work/log" | head -n1)
if [ -z "$port" ] || [ -z "$discovery_port" ]; then
  cat "$work/log" >&2
  fail "the daemon did not start under strace"
fi
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /management/v1/configureddevices HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
timeout 5 cat <&3 >"$work/reply" || true
exec 3<&-
grep -q '"DeviceType":"Camera"' "$work/reply" || fail "no device list over HTTP: $(head -c 300 "$work/reply")"
exec 3<>"/dev/udp/127.0.0.1/$discovery_port"
printf 'alpacadiscovery1' >&3
exec 3<&-
sleep 0.5
daemon=$(pgrep -P "$tracer" | head -n1 || true)
[ -n "$daemon" ] || fail "cannot find the daemon's process below strace ($tracer)"
kill -TERM "$daemon"
status=0
wait "$tracer" || status=$?
tracer=
[ "$status" -eq 0 ] || { cat "$work/log" >&2; fail "the daemon exited with $status after SIGTERM"; }

# System calls made (skipping the execve that strace itself issues before the filter would apply).
awk '{ call = $2; if (call !~ /^[a-z_0-9]+\(/) next; sub(/\(.*/, "", call); print call }' "$work/trace" |
  sort -u >"$work/used"
echo "check-syscall-filter: $(wc -l <"$work/used") system calls used: $(tr '\n' ' ' <"$work/used")"
outside=$(comm -23 "$work/used" "$work/allowed" | grep -vx execve || true)
[ -z "$outside" ] || fail "system calls outside the unit's allow list: $(echo $outside)"
refused=$(comm -12 "$work/used" "$work/denied" || true)
[ -z "$refused" ] || fail "system calls in the unit's deny list: $(echo $refused)"

used_families=$(grep -o 'socket(AF_[A-Z0-9]*' "$work/trace" | sed 's/socket(//' | sort -u)
echo "check-syscall-filter: socket families used: $(echo $used_families); allowed: $families"
for family in $used_families; do
  grep -qw -- "$family" <<<"$families" || fail "the daemon opens $family sockets, not in RestrictAddressFamilies=$families"
done
echo "check-syscall-filter: OK, the daemon stays inside SystemCallFilter= and RestrictAddressFamilies= of $unit"
