#!/usr/bin/env bash
# The other platforms of the matrix (docs: /DESIGN "platform matrix"), run by CI after the native
# Debian 12 amd64 suite (scripts/test.sh):
#   trixie amd64   the full suite (./scripts/test.sh, unchanged) in a Debian 13 debootstrap root
#                  (scripts/platform-root.sh; cached under /var/cache/sonyalpaca-platforms)
#   arm64          the daemon cross-built for bookworm (on this machine, multiarch) and for trixie (in
#                  the root), its .deb checked (scripts/package.sh), and one simulator exposure through
#                  the Alpaca API under qemu-aarch64-static -L / (scripts/smoke-exposure.sh)
#   amd64 .debs    the bookworm and trixie packages, checked the same way, made from the build-ci
#                  trees the two suites left (so .ci/run must run scripts/test.sh first)
# Every .deb lands in build-dist/. Prints each stage's duration and a closing line
# "platforms: N passed, M failed"; exits non-zero when anything failed. Needs root (debootstrap,
# chroot, mounts; apt-get installs what is missing) on a Debian 12 amd64 machine.
#   scripts/test-platforms.sh
set -uo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
cd "$source_dir"
export SONYALPACA_JOBS=${SONYALPACA_JOBS:-2}

fail() { echo "test-platforms: FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot, mount, apt-get)"
host_release=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ "$host_release" = bookworm ] && [ "$(dpkg --print-architecture)" = amd64 ] ||
  fail "runs on Debian 12 bookworm amd64 (this is $host_release $(dpkg --print-architecture))"

root=$(./scripts/platform-root.sh path trixie)
# Safety net: whatever a stage left mounted in the root or running in it goes when this script ends.
cleanup() {
  local pid link mountpoint
  for pid in /proc/[0-9]*; do
    link=$(readlink "$pid/root" 2>/dev/null) || continue
    [ "$link" = "$root" ] && kill -KILL "${pid#/proc/}" 2>/dev/null
  done
  awk -v root="$root" '$2 == root || index($2, root "/") == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r mountpoint; do
      umount "$mountpoint" 2>/dev/null || umount -l "$mountpoint" || echo "test-platforms: could not unmount $mountpoint" >&2
      echo "test-platforms: unmounted $mountpoint (left by a stage)" >&2
    done
}
trap cleanup EXIT
trap 'echo "test-platforms: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

passed=0
failed=0
failures=()
summary=()
started=$SECONDS
# stage NAME COMMAND...: runs it, prints its duration, counts it.
stage() {
  local name=$1 status=0 stage_started=$SECONDS
  shift
  printf '\n======== test-platforms: %s\n' "$name"
  "$@" || status=$?
  local took=$((SECONDS - stage_started))
  local duration
  duration=$(printf '%dm%02ds' $((took / 60)) $((took % 60)))
  if [ "$status" -eq 0 ]; then
    passed=$((passed + 1))
    summary+=("  passed  $duration  $name")
    printf '======== test-platforms: %s passed in %s\n' "$name" "$duration"
  else
    failed=$((failed + 1))
    failures+=("$name")
    summary+=("  FAILED  $duration  $name (exit $status)")
    printf '======== test-platforms: %s FAILED (exit %d) after %s\n' "$name" "$status" "$duration"
  fi
  return 0
}

root_ok=no
prepare_root() {
  ./scripts/platform-root.sh ensure trixie || return 1
  ./scripts/platform-root.sh copy-source trixie || return 1
  # What the tests need beyond install-deps.sh: chromium and python3 (the setup pages' browser test
  # is registered where chromium is installed), curl (the arm64 smoke).
  ./scripts/platform-root.sh run trixie \
    'for p in chromium python3 curl; do dpkg-query -W -f="\${Status}" $p 2>/dev/null | grep -q "install ok installed" || m="$m $p"; done
     if [ -n "$m" ]; then echo "installing$m"; apt-get update -qq && apt-get install -y -qq --no-install-recommends $m >/dev/null; fi' ||
    return 1
  root_ok=yes
}
in_root() { [ "$root_ok" = yes ] || { echo "the trixie root is not ready" >&2; return 1; }; ./scripts/platform-root.sh run trixie "$1"; }

stage "trixie root (debootstrap, cached)" prepare_root
stage "trixie amd64: ./scripts/test.sh in the root" in_root ./scripts/test.sh
# The amd64 packages come from the builds the two suites made (build-ci: RelWithDebInfo, the same
# daemon as package.sh's but for -Werror), which saves two release builds (~10 min on 2 cores). Right after the suite: the
# trixie arm64 stage copies the source into the root again, which would make build-ci stale.
amd64_deb_in_root() {
  in_root "./scripts/check-package.sh build-ci build-dist" || return 1
  mkdir -p build-dist && cp "$root"/src/sonyalpaca/build-dist/sonyalpaca_*~deb13_amd64.deb build-dist/
}
stage "trixie amd64: .deb from the suite's build (in the root)" amd64_deb_in_root
stage "bookworm arm64: cross build and .deb" ./scripts/package.sh bookworm arm64
stage "bookworm arm64: exposure under qemu" \
  ./scripts/smoke-exposure.sh qemu-aarch64-static -L / build-pkg-bookworm-arm64/server/sonyalpaca
stage "trixie arm64: cross build and .deb (in the root)" ./scripts/package.sh trixie arm64
stage "trixie arm64: exposure under qemu (in the root)" \
  in_root "./scripts/smoke-exposure.sh qemu-aarch64-static -L / build-pkg-trixie-arm64/server/sonyalpaca"
stage "bookworm amd64: .deb from the suite's build" ./scripts/check-package.sh build-ci build-dist

total=$((SECONDS - started))
printf '\n======== test-platforms: summary (%dm%02ds in all)\n' $((total / 60)) $((total % 60))
printf '%s\n' "${summary[@]}"
ls -l build-dist/*.deb 2>/dev/null
echo "platforms: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
