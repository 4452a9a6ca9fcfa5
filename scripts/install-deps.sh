#!/usr/bin/env bash
# Installs the Debian 12 or 13 packages (amd64 or arm64) sonyalpaca needs to build, test and run.
# Idempotent: installs only what is missing. Works as root or through sudo.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libcpp-httplib-dev nlohmann-json3-dev libspdlog-dev libfmt-dev doctest-dev
  libsystemd-dev libgphoto2-dev libusb-1.0-0-dev libraw-dev libcfitsio-dev
  libjpeg-dev  # live-view frames (lens learning) and the setup page's preview
  gphoto2  # the stock command line drives the simulated body in the tests
  # The service checks (tests/package.cmake): cpack's .deb with dpkg-shlibdeps, install into a
  # throwaway root, systemd-analyze verify/security, sysusers/tmpfiles, the syscall sandbox.
  dpkg-dev fakeroot binutils systemd init-system-helpers strace procps
  file  # cpack's Debian generator runs it; a minimal system (a Pi image, a debootstrap root) lacks it
  chromium python3 python3-websocket  # the setup-page test drives headless Chromium (tests/browser)
  clang-format  # the source_format test (scripts/check-format.sh)
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages are installed"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-deps: missing packages (${missing[*]}) and neither root nor sudo; install them and retry" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
