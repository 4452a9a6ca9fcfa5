#!/usr/bin/env bash
# A Debian root of another release (trixie) for building and testing sonyalpaca there, made with
# debootstrap and cached outside the git tree; used by scripts/package.sh and scripts/test-platforms.sh.
#   scripts/platform-root.sh path RELEASE          print the root's directory
#   scripts/platform-root.sh ensure RELEASE        create it (debootstrap) unless a valid one is cached
#   scripts/platform-root.sh copy-source RELEASE   copy this source tree to /src/sonyalpaca in the root
#                                                  (tracked and untracked files, no build directories;
#                                                  the root's own build-* directories are kept)
#   scripts/platform-root.sh run RELEASE COMMAND   run COMMAND (bash -c) in the root, in /src/sonyalpaca
# The root is amd64 (the build machine's architecture); arm64 is added to it as a foreign
# architecture when a cross build needs it. The mirror is the one of the host's apt sources.
# `run` mounts /proc, /sys, /dev, /dev/pts and /dev/shm (only those not mounted yet) and always
# unmounts what it mounted and kills the processes left in the root, also on failure and Ctrl-C.
# The root shares the host's network: tests there use 127.0.0.1 like the native ones.
# Environment: SONYALPACA_PLATFORM_CACHE (default /var/cache/sonyalpaca-platforms).
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
cache=${SONYALPACA_PLATFORM_CACHE:-/var/cache/sonyalpaca-platforms}
arch=$(dpkg --print-architecture)

usage() { echo "usage: platform-root.sh path|ensure|copy-source|run RELEASE [COMMAND]" >&2; exit 2; }
fail() { echo "platform-root: FAIL: $*" >&2; exit 1; }
command=${1:-}
release=${2:-}
[ -n "$command" ] && [ -n "$release" ] || usage
[[ $release =~ ^[a-z]+$ ]] || fail "bad release name \"$release\""
root="$cache/$release-$arch"
marker="$root/.sonyalpaca-platform-root"

# The host's Debian mirror (the first URIs/deb line of its apt sources that is not the security archive).
host_mirror() {
  local mirror
  mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }')
  if [ -z "$mirror" ]; then
    mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^(http|https|file):/ && $i !~ /security/) { print $i; exit } }')
  fi
  [ -n "$mirror" ] || fail "no Debian mirror found in /etc/apt/sources.list*"
  echo "$mirror"
}

valid_root() {
  [ -f "$marker" ] && [ -x "$root/usr/bin/apt-get" ] && [ -x "$root/bin/bash" ] &&
    grep -qx "VERSION_CODENAME=$release" "$root/etc/os-release" 2>/dev/null
}

# Files the root needs from the host each time: name resolution, no service starts.
configure_root() {
  cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  printf '#!/bin/sh\n# no services start in this build root\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  mkdir -p "$root/src"
}

ensure() {
  command -v debootstrap >/dev/null 2>&1 || fail "debootstrap is missing (apt-get install debootstrap)"
  if valid_root; then
    echo "platform-root: using the cached $release root $root"
  else
    local mirror keyring=/usr/share/keyrings/debian-archive-keyring.gpg started=$SECONDS
    mirror=$(host_mirror)
    [ -f "$keyring" ] || fail "$keyring is missing (apt-get install debian-archive-keyring)"
    echo "platform-root: debootstrap $release ($arch) from $mirror into $root"
    mkdir -p "$cache"
    rm -rf "$root.new"
    if ! debootstrap --variant=minbase --arch="$arch" --keyring="$keyring" "$release" "$root.new" "$mirror" \
        >"$cache/$release-$arch.debootstrap.log" 2>&1; then
      tail -n 30 "$cache/$release-$arch.debootstrap.log" >&2
      rm -rf "$root.new"
      fail "debootstrap $release failed (log: $cache/$release-$arch.debootstrap.log)"
    fi
    echo "deb $mirror $release main" >"$root.new/etc/apt/sources.list"
    if [ -e "$root" ]; then
      # Not valid (an interrupted run): nothing of it may be mounted any more.
      grep -q " $root[/ ]" /proc/mounts && fail "$root is invalid but still has mounts"
      rm -rf "$root"
    fi
    date -u +%FT%TZ >"$root.new/.sonyalpaca-platform-root"
    mv "$root.new" "$root"
    echo "platform-root: $release root made in $((SECONDS - started)) s"
  fi
  configure_root
}

copy_source() {
  valid_root || fail "no valid $release root; run: platform-root.sh ensure $release"
  local dest="$root/src/sonyalpaca"
  mkdir -p "$dest"
  # Everything but the build directories (kept, so that a second run builds incrementally).
  find "$dest" -mindepth 1 -maxdepth 1 ! -name 'build-*' ! -name 'build' -exec rm -rf {} +
  (cd "$source_dir" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' file; do if [ -f "$file" ] || [ -L "$file" ]; then printf '%s\0' "$file"; fi; done |
    tar --null --files-from=- -cf -) | tar -xmf - -C "$dest"
  # -m: the copies are dated now, not with the tree's dates. With the dates kept, a file edited
  # before the root's last build of an older copy looked older than its object, and make kept the
  # stale object (seen: tests built from a copy of an hour before). The price: the root's build
  # directories rebuild everything after each copy.
  echo "platform-root: source copied to $dest ($(du -sk --exclude='build*' "$dest" | cut -f1) KiB)"
}

mounted=()
cleanup_run() {
  local pid link left=0
  # Processes still running in the root (a daemon a failed test left behind).
  for pid in /proc/[0-9]*; do
    link=$(readlink "$pid/root" 2>/dev/null) || continue
    if [ "$link" = "$root" ]; then
      kill -KILL "${pid#/proc/}" 2>/dev/null && left=$((left + 1))
    fi
  done
  [ "$left" -eq 0 ] || { echo "platform-root: killed $left processes left in $root" >&2; sleep 0.5; }
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" ||
      echo "platform-root: could not unmount ${mounted[i]}" >&2
  done
  mounted=()
}

mount_in_root() {  # mount_in_root TARGET MOUNT-ARGS...
  local target="$root$1"
  shift
  mkdir -p "$target"
  if mountpoint -q "$target"; then return 0; fi
  mount "$@" "$target"
  mounted+=("$target")
  mount --make-private "$target"
}

run() {
  valid_root || fail "no valid $release root; run: platform-root.sh ensure $release"
  configure_root
  trap 'cleanup_run' EXIT
  trap 'cleanup_run; exit 130' INT
  trap 'cleanup_run; exit 143' TERM
  mount_in_root /proc -t proc proc
  mount_in_root /sys --bind /sys
  mount_in_root /dev --bind /dev
  mount_in_root /dev/pts --bind /dev/pts
  mount_in_root /dev/shm -t tmpfs -o mode=1777,size=2g tmpfs
  mkdir -p "$root/src/sonyalpaca"
  local status=0
  chroot "$root" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    /bin/bash -c "cd /src/sonyalpaca && $1" || status=$?
  cleanup_run
  trap - EXIT INT TERM
  return "$status"
}

case "$command" in
  path) echo "$root" ;;
  ensure) [ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot, mount)"; ensure ;;
  copy-source) copy_source ;;
  run)
    [ "$(id -u)" -eq 0 ] || fail "needs root (chroot, mount)"
    [ $# -ge 3 ] || usage
    run "$3"
    ;;
  *) usage ;;
esac
