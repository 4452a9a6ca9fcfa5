#!/usr/bin/env bash
# Builds the .deb of sonyalpaca for one Debian release and architecture, checks it
# (scripts/check-package.sh: control data, Depends, apt resolution on that release and architecture,
# install/remove/purge in a throwaway root, --version of the installed binary, the unit) and puts it
# into build-dist/:
#   scripts/package.sh [bookworm|trixie] [amd64|arm64]     default: this machine's release and architecture
#   e.g. build-dist/sonyalpaca_0.1.0-1~deb13_arm64.deb
# This machine's release: built here (arm64 on amd64: cross-built with cmake/toolchain-aarch64-linux-gnu.cmake
# against the :arm64 libraries installed multiarch; the binary runs under qemu-aarch64-static -L /).
# Another release: built the same way inside a debootstrap root of it (scripts/platform-root.sh),
# from a copy of this source tree. Installs what it needs with apt (root or sudo). Release build,
# daemon only (no tests). Needs root for the other release's root.
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
cd "$source_dir"
host_release=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
host_arch=$(dpkg --print-architecture)
release=${1:-$host_release}
arch=${2:-$host_arch}
out_dir="$source_dir/build-dist"
jobs=${SONYALPACA_JOBS:-2}

fail() { echo "package: FAIL: $*" >&2; exit 1; }
stage() { printf '\n== package %s %s: %s\n' "$release" "$arch" "$*"; }
[[ $release =~ ^(bookworm|trixie)$ ]] || fail "release \"$release\": bookworm or trixie"
[[ $arch =~ ^(amd64|arm64)$ ]] || fail "architecture \"$arch\": amd64 or arm64"
started=$SECONDS

if [ "$release" != "$host_release" ]; then
  # In a root of that release, from a copy of this tree; the .deb comes back to build-dist/.
  [ "$host_arch" = amd64 ] || fail "the $release root is made for amd64 build machines only"
  ./scripts/platform-root.sh ensure "$release"
  ./scripts/platform-root.sh copy-source "$release"
  root=$(./scripts/platform-root.sh path "$release")
  rm -rf "$root/src/sonyalpaca/build-dist"
  SECONDS_BEFORE=$SECONDS
  ./scripts/platform-root.sh run "$release" "SONYALPACA_JOBS=$jobs ./scripts/package.sh $release $arch"
  debs=("$root"/src/sonyalpaca/build-dist/sonyalpaca_*_"$arch".deb)
  [ -f "${debs[0]}" ] || fail "no $arch .deb came out of the $release root"
  mkdir -p "$out_dir"
  cp "${debs[@]}" "$out_dir/"
  echo "package: $(basename "${debs[0]}") -> build-dist/ (in the $release root: $((SECONDS - SECONDS_BEFORE)) s)"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then as_root=(); else as_root=(sudo); fi
apt_get() {
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq "$@"
}

stage "dependencies"
./scripts/install-deps.sh
toolchain=()
if [ "$arch" != "$host_arch" ]; then
  [ "$arch" = arm64 ] && [ "$host_arch" = amd64 ] || fail "cross-building from $host_arch to $arch is not set up"
  # The cross compiler, qemu for the checks, and the -dev packages of install-deps.sh for arm64
  # (architecture-independent ones, such as nlohmann-json3-dev, as they are).
  if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    "${as_root[@]}" dpkg --add-architecture "$arch"
    apt_get update
  elif ! compgen -G "/var/lib/apt/lists/*_binary-${arch}_Packages*" >/dev/null; then
    apt_get update
  fi
  qemu_package=qemu-user-static
  wanted=(crossbuild-essential-"$arch" "$qemu_package")
  mapfile -t dev_packages < <(grep -oE '\b(lib[a-z0-9.+-]*-dev|nlohmann-json3-dev)\b' scripts/install-deps.sh | sort -u)
  for package in "${dev_packages[@]}"; do
    case "$(apt-cache show --no-all-versions "$package" 2>/dev/null | sed -n 's/^Architecture: //p' | head -n 1)" in
      all) wanted+=("$package") ;;
      "") fail "$package (from install-deps.sh) is not known to apt" ;;
      *) wanted+=("$package:$arch") ;;
    esac
  done
  missing=()
  for package in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "package: installing ${missing[*]}"
    apt_get update
    apt_get install -y --no-install-recommends "${missing[@]}"
  else
    echo "package: the $arch cross toolchain and libraries are installed"
  fi
  toolchain=(-DCMAKE_TOOLCHAIN_FILE="$source_dir/cmake/toolchain-aarch64-linux-gnu.cmake")
fi
echo "package: dependencies in $((SECONDS - started)) s"

stage "build"
build_started=$SECONDS
build_dir="$source_dir/build-pkg-$release-$arch"
# CMAKE_SKIP_INSTALL_ALL_DEPENDENCY: cpack installs the daemon without building every other target.
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSONYALPACA_TESTS=OFF \
  -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON "${toolchain[@]}" >"$build_dir.configure.log" 2>&1 ||
  { cat "$build_dir.configure.log" >&2; fail "cmake configure failed"; }
nice cmake --build "$build_dir" --target sonyalpaca -j"$jobs"
file "$build_dir/server/sonyalpaca"
echo "package: built in $((SECONDS - build_started)) s"

stage "package and check"
check_started=$SECONDS
./scripts/check-package.sh "$build_dir" "$out_dir"
echo "package: checked in $((SECONDS - check_started)) s"
echo "package: OK: $release $arch in $((SECONDS - started)) s: $(ls "$out_dir"/sonyalpaca_*_"$arch".deb | grep -F "~deb$(. /etc/os-release && echo "$VERSION_ID")_" || true)"
