#!/usr/bin/env bash
# Builds the .deb from a build directory and checks it the way CI does:
#   1. cpack -G DEB (library dependencies from dpkg-shlibdeps);
#   2. the package's control data (Architecture and version of the build's target: see
#      cmake/Packaging.cmake), Depends line and file list (dpkg-deb); every shared library the binary
#      needs comes from a package of the target architecture named in Depends; the dependencies
#      resolve on a fresh system of this release and the target architecture (apt-get --simulate
#      with an empty package status and the target as the native architecture);
#   3. install, remove and purge in a throwaway root (dpkg --root, maintainer scripts run
#      chrootless with DPKG_ROOT, so nothing outside that root changes and no systemd is needed);
#      the installed binary's --version runs (under qemu-<cpu>-static -L / for another architecture,
#      whose libraries are installed multiarch);
#   4. systemd-analyze verify and systemd-analyze security --offline=yes on the installed unit;
#      fails when the exposure score is above 2.0.
# It checks the package of the release it runs on (its package database and apt lists), for the
# build's target architecture: native, or arm64 cross-built (scripts/package.sh).
# Needs root or fakeroot (for file ownership inside the throwaway root).
#   scripts/check-package.sh [BUILD_DIR [OUT_DIR]]     default: build-ci; OUT_DIR receives the .deb
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$(cd "${1:-$source_dir/build-ci}" && pwd)
out_dir=${2:-}
max_exposure=2.0

fail() { echo "check-package: FAIL: $*" >&2; exit 1; }
step() { printf '\n== check-package: %s\n' "$*"; }

for tool in cpack dpkg dpkg-deb dpkg-shlibdeps dpkg-architecture apt-get systemd-analyze systemd-sysusers systemd-tmpfiles; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing; run scripts/install-deps.sh"
done
[ -f "$build_dir/CPackConfig.cmake" ] || fail "$build_dir/CPackConfig.cmake is missing; configure and build first"
if [ "$(id -u)" -ne 0 ]; then
  if [ -z "${FAKEROOTKEY:-}" ]; then
    command -v fakeroot >/dev/null 2>&1 || fail "not root and fakeroot is missing; run scripts/install-deps.sh"
    exec fakeroot -- "$0" "$build_dir" ${out_dir:+"$out_dir"}
  fi
fi

# What the build packages for: the target architecture and the Debian revision (cmake/Packaging.cmake).
cpack_value() { sed -n "s/^set(\\($1\\) \"\\(.*\\)\")\$/\\2/p" "$build_dir/CPackConfig.cmake" | head -n 1; }
native_arch=$(dpkg --print-architecture)
target_arch=$(cpack_value CPACK_DEBIAN_PACKAGE_ARCHITECTURE)
target_arch=${target_arch:-$native_arch}
expected_version="$(cpack_value CPACK_PACKAGE_VERSION)"
revision=$(cpack_value CPACK_DEBIAN_PACKAGE_RELEASE)
[ -z "$revision" ] || expected_version="$expected_version-$revision"
multiarch=$(dpkg-architecture -a "$target_arch" -qDEB_HOST_MULTIARCH 2>/dev/null)
target_cpu=$(dpkg-architecture -a "$target_arch" -qDEB_HOST_GNU_CPU 2>/dev/null)
. /etc/os-release
echo "check-package: the $target_arch package of ${PRETTY_NAME:-this system} (version $expected_version)"
objdump_tool=objdump
if command -v "$multiarch-objdump" >/dev/null 2>&1; then objdump_tool=$multiarch-objdump; fi
# Runs a program of the target architecture: directly, or emulated with the libraries of / (multiarch).
run_target=()
if [ "$target_arch" != "$native_arch" ]; then
  qemu=$(command -v "qemu-$target_cpu-static" || command -v "qemu-$target_cpu" || true)
  [ -n "$qemu" ] || fail "qemu-$target_cpu-static is missing (apt-get install qemu-user-static) to run the $target_arch binary"
  run_target=("$qemu" -L /)
fi

started=$SECONDS
work=$(mktemp -d "${TMPDIR:-/tmp}/sonyalpaca-package.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- 1. build the package ---------------------------------------------------------------------
step "cpack -G DEB in $build_dir"
if ! cpack --config "$build_dir/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1; then
  cat "$work/cpack.log" >&2
  fail "cpack failed"
fi
debs=("$work"/out/*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one .deb in $work/out, found: ${debs[*]}"
deb=${debs[0]}
echo "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB) in $((SECONDS - started)) s"

# --- 2. control data, dependencies, file list ---------------------------------------------------
step "control data"
dpkg-deb --info "$deb"
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = sonyalpaca ] || fail "Package is \"$(field Package)\", expected sonyalpaca"
[ "$(field Architecture)" = "$target_arch" ] ||
  fail "Architecture is \"$(field Architecture)\", expected $target_arch"
[ "$(field Version)" = "$expected_version" ] || fail "Version is \"$(field Version)\", expected $expected_version"
[ "$(basename "$deb")" = "sonyalpaca_${expected_version}_$target_arch.deb" ] ||
  fail "the file is $(basename "$deb"), expected sonyalpaca_${expected_version}_$target_arch.deb"
depends=$(field Depends)
echo "Depends: $depends"
# dpkg-shlibdeps ran: the C library comes with a version, the C++ runtime and libsystemd are there.
grep -Eq '(^|, )libc6 \(>= [0-9][^)]*\)' <<<"$depends" || fail "Depends lacks \"libc6 (>= ...)\" (dpkg-shlibdeps)"
depends_names() { tr ',|' '\n\n' <<<"$depends" | awk '{ print $1 }'; }
for library in libstdc++6 libsystemd0; do
  depends_names | grep -qxF "$library" || fail "Depends lacks $library"
done
grep -q "systemd-sysusers" <<<"$depends" || fail "Depends lacks the sysusers provider the postinst uses"
# Every shared library the binary needs comes from a package named in Depends.
dpkg-deb --extract "$deb" "$work/extracted"
file "$work/extracted/usr/bin/sonyalpaca"
needed=$("$objdump_tool" -p "$work/extracted/usr/bin/sonyalpaca" | awk '$1 == "NEEDED" { print $2 }')
[ -n "$needed" ] || fail "objdump found no NEEDED entries in usr/bin/sonyalpaca"
# The installed packages of the target architecture (or "all") that hold a file named SONAME.
providers_of() {
  local spec package
  dpkg --search "*/$1" 2>/dev/null | sed 's/: .*//' | tr ',' '\n' | sed 's/^ *//' | sort -u |
    while read -r spec; do
      package=${spec%%:*}
      case "$(dpkg-query --show --showformat='${Architecture}' "$package:$target_arch" 2>/dev/null)" in
        "$target_arch" | all) echo "$package" ;;
      esac
    done | sort -u
}
for soname in $needed; do
  providers=$(providers_of "$soname")
  covered=
  for package in $providers; do
    # The package itself or a name it provides (libspdlog1.10 provides libspdlog1.10-fmt9).
    for name in "$package" $(dpkg-query --show --showformat='${Provides}' "$package:$target_arch" 2>/dev/null |
                             tr ',' '\n' | awk '{ print $1 }'); do
      if depends_names | grep -qxF "$name"; then covered=$name; fi
    done
  done
  [ -n "$covered" ] || fail "$soname (from $target_arch packages: $(echo $providers)) is not covered by Depends"
  echo "  $soname: $covered"
done

# The dependencies resolve on a fresh $target_arch system of this release: apt with an empty package
# status, the target as its only architecture, and the package lists of this system (which hold the
# target architecture: native, or added with dpkg --add-architecture for a cross build).
step "apt-get install --simulate on a fresh $target_arch ${VERSION_CODENAME:-system}"
: >"$work/empty-status"
cp "$deb" "$work/sonyalpaca.deb"
apt_simulate=(apt-get -o "APT::Architecture=$target_arch" -o "APT::Architectures::=$target_arch"
  -o "Dir::State::status=$work/empty-status" -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
  -o Debug::NoLocking=1 --simulate --no-install-recommends install)
if ! "${apt_simulate[@]}" "$work/sonyalpaca.deb" >"$work/simulate.log" 2>&1; then
  cat "$work/simulate.log" >&2
  fail "the dependencies of $(basename "$deb") do not resolve on $target_arch (are the $target_arch package lists there? apt-get update)"
fi
grep -q '^Inst sonyalpaca ' "$work/simulate.log" || { cat "$work/simulate.log" >&2; fail "apt would not install sonyalpaca"; }
echo "apt would install sonyalpaca with $(grep -c '^Inst ' "$work/simulate.log") packages in all, among them:"
grep '^Inst ' "$work/simulate.log" | awk '{ print $2 }' | grep -E '^(libraw|libgphoto2-[0-9]|libcfitsio|libfmt|libspdlog|libcpp-httplib|libstdc|libsystemd0|systemd$)' | tr '\n' ' '
echo

dpkg-deb --control "$deb" "$work/control"
for script in postinst prerm postrm; do
  [ -x "$work/control/$script" ] || fail "maintainer script $script is missing or not executable"
  sh -n "$work/control/$script" || fail "maintainer script $script has a syntax error"
done
[ "$(cat "$work/control/conffiles")" = /etc/sonyalpaca/config.json ] ||
  fail "conffiles should list /etc/sonyalpaca/config.json, it holds: $(cat "$work/control/conffiles")"

step "file list"
dpkg-deb --contents "$deb" | tee "$work/contents.long"
# Names only (column 6 on; a symbolic link shows "-> target").
awk '{ $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); print }' "$work/contents.long" >"$work/contents"
expected=(
  ./usr/bin/sonyalpaca
  ./usr/lib/systemd/system/sonyalpaca.service
  ./usr/lib/udev/rules.d/60-sonyalpaca.rules
  ./usr/lib/sysusers.d/sonyalpaca.conf
  ./usr/lib/tmpfiles.d/sonyalpaca.conf
  ./etc/sonyalpaca/config.json
  ./usr/share/sonyalpaca/sony-lenses.json
  ./usr/share/sonyalpaca/sony-bodies.json
  ./usr/share/doc/sonyalpaca/README.md
  ./usr/share/doc/sonyalpaca/copyright
)
for path in "${expected[@]}"; do
  grep -qxF "$path" "$work/contents" || fail "the package lacks $path"
done
unexpected=$(grep -vE '^\./(|etc/|etc/sonyalpaca/.*|usr/|usr/(bin|lib|share)/.*)$' "$work/contents" || true)
[ -z "$unexpected" ] || fail "files outside /usr/{bin,lib,share} and /etc/sonyalpaca: $unexpected"
grep -q '/usr/local' "$work/contents" && fail "the package installs below /usr/local"
awk '$2 != "root/root" { bad = 1; print "not owned by root: " $0 } END { exit bad }' "$work/contents.long" ||
  fail "every file must be owned by root/root"
grep -qx 'ExecStart=/usr/bin/sonyalpaca serve' "$work/extracted/usr/lib/systemd/system/sonyalpaca.service" ||
  fail "the packaged unit does not start /usr/bin/sonyalpaca"
[ "$(stat -c %a "$work/extracted/usr/bin/sonyalpaca")" = 755 ] || fail "usr/bin/sonyalpaca is not mode 755"

# The service's user, the udev rule's group and the unit's User=/Group= are one name.
unit_user=$(sed -n 's/^User=//p' "$work/extracted/usr/lib/systemd/system/sonyalpaca.service")
unit_group=$(sed -n 's/^Group=//p' "$work/extracted/usr/lib/systemd/system/sonyalpaca.service")
sysusers_user=$(awk '$1 == "u" { print $2 }' "$work/extracted/usr/lib/sysusers.d/sonyalpaca.conf")
udev_group=$(sed -n 's/.*GROUP="\([^"]*\)".*/\1/p' "$work/extracted/usr/lib/udev/rules.d/60-sonyalpaca.rules")
[ "$unit_user" = sonyalpaca ] && [ "$unit_group" = sonyalpaca ] && [ "$sysusers_user" = sonyalpaca ] &&
  [ "$udev_group" = sonyalpaca ] ||
  fail "user/group mismatch: unit User=$unit_user Group=$unit_group, sysusers $sysusers_user, udev GROUP=$udev_group"

# --- 3. install, remove and purge in a throwaway root ------------------------------------------
root="$work/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/etc"
: >"$root/var/lib/dpkg/status"
if [ "$target_arch" != "$native_arch" ]; then
  dpkg --root="$root" --add-architecture "$target_arch"
fi
# The libraries of Depends are not in the throwaway root's package database: --force-depends.
root_dpkg() {
  dpkg --root="$root" --force-script-chrootless --force-depends --log=/dev/null "$@"
}
host_state() {
  { getent passwd sonyalpaca || true; ls -l /etc/systemd/system/multi-user.target.wants/sonyalpaca.service 2>&1 || true
    ls -ld /var/lib/sonyalpaca /etc/sonyalpaca 2>&1 || true; }
}
host_before=$(host_state)

step "dpkg --install into a throwaway root"
root_dpkg --install "$deb" 2>&1 | tee "$work/install.log"
root_dpkg --status sonyalpaca | grep -qx 'Status: install ok installed' || fail "sonyalpaca is not installed in $root"
grep -q '^sonyalpaca:x:[0-9]*:[0-9]*:.*:/var/lib/sonyalpaca:/usr/sbin/nologin$' "$root/etc/passwd" ||
  fail "the postinst did not create the system user (\"$(cat "$root/etc/passwd" 2>/dev/null)\")"
grep -q '^sonyalpaca:x:' "$root/etc/group" || fail "the postinst did not create the group"
uid=$(awk -F: '$1 == "sonyalpaca" { print $3 }' "$root/etc/passwd")
echo "user sonyalpaca: uid $uid"
for dir in /var/lib/sonyalpaca /var/log/sonyalpaca; do
  [ -d "$root$dir" ] || fail "the postinst did not create $dir"
  [ "$(stat -c '%a %u' "$root$dir")" = "750 $uid" ] ||
    fail "$dir is $(stat -c '%a %u' "$root$dir"), expected 750 owned by uid $uid"
done
wants="$root/etc/systemd/system/multi-user.target.wants/sonyalpaca.service"
[ -L "$wants" ] || fail "the postinst did not enable the unit ($wants is missing)"
echo "enabled: $(readlink "$wants")"
version_output=$("${run_target[@]}" "$root/usr/bin/sonyalpaca" --version) ||
  fail "the installed $target_arch binary does not run: ${run_target[*]} usr/bin/sonyalpaca --version"
echo "${run_target[*]}${run_target[*]:+ }usr/bin/sonyalpaca --version: $version_output"

# --- 4. the unit: verify and security ------------------------------------------------------------
step "systemd-analyze verify"
# Verified where it is installed, so that ExecStart's binary exists; the copy differs from the
# packaged unit only in that path.
sed "s|^ExecStart=/usr/bin/|ExecStart=$root/usr/bin/|" "$root/usr/lib/systemd/system/sonyalpaca.service" \
  >"$work/sonyalpaca.service"
if ! systemd-analyze verify "$work/sonyalpaca.service" >"$work/verify.log" 2>&1; then
  cat "$work/verify.log" >&2
  fail "systemd-analyze verify found problems"
fi
cat "$work/verify.log"
echo "systemd-analyze verify: no problems"

step "systemd-analyze security --offline=yes"
security_status=0
systemd-analyze security --offline=yes --no-pager "$root/usr/lib/systemd/system/sonyalpaca.service" \
  >"$work/security.log" 2>&1 || security_status=$?
cat "$work/security.log"
exposure=$(sed -n 's/.*Overall exposure level for sonyalpaca.service: \([0-9.]*\).*/\1/p' "$work/security.log")
[ -n "$exposure" ] || fail "no exposure score in the output of systemd-analyze security (exit $security_status)"
echo "exposure score: $exposure (limit $max_exposure)"
awk -v score="$exposure" -v limit="$max_exposure" 'BEGIN { exit !(score <= limit) }' ||
  fail "exposure $exposure is above $max_exposure"

step "dpkg --remove and --purge"
root_dpkg --remove sonyalpaca
[ ! -e "$root/usr/bin/sonyalpaca" ] || fail "remove left usr/bin/sonyalpaca"
[ -f "$root/etc/sonyalpaca/config.json" ] || fail "remove deleted the conffile (only purge may)"
[ ! -e "$wants" ] || fail "remove left the unit enabled"
root_dpkg --purge sonyalpaca
[ ! -e "$root/etc/sonyalpaca/config.json" ] || fail "purge left /etc/sonyalpaca/config.json"
[ ! -e "$root/var/lib/sonyalpaca" ] || fail "purge left /var/lib/sonyalpaca"
[ ! -e "$root/var/log/sonyalpaca" ] || fail "purge left /var/log/sonyalpaca"
[ ! -e "$root/etc/systemd/system/sonyalpaca.service" ] || fail "purge left the unit masked"
leftover=$(cd "$root" && find . -name '*sonyalpaca*' ! -path './var/lib/dpkg/*' | sort)
[ -z "$leftover" ] || fail "purge left: $leftover"

[ "$(host_state)" = "$host_before" ] || fail "the host changed: before \"$host_before\", after \"$(host_state)\""

if [ -n "$out_dir" ]; then
  mkdir -p "$out_dir"
  cp "$deb" "$out_dir/"
  echo "check-package: $(basename "$deb") copied to $out_dir"
fi

step "OK: $(basename "$deb"), exposure $exposure, $((SECONDS - started)) s"
