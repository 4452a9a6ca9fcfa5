#!/usr/bin/env bash
# One command: installs what is needed, builds with warnings as errors, and runs every test.
#   scripts/test.sh              the normal build (what CI runs)
#   scripts/test.sh --sanitize   the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
set -euo pipefail
cd "$(dirname "$0")/.."
preset=ci
if [ "${1:-}" = "--sanitize" ]; then preset=asan; fi
./scripts/install-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j"$(nproc)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --preset "$preset"
