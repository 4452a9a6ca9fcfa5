#!/usr/bin/env bash
# One command for a new user: installs what is needed, builds, and runs the daemon in the foreground
# with the built-in simulated Sony body, so it works with no camera attached. Extra arguments go to
# `sonyalpaca serve` (e.g. --port 11112; a later --camera wins). Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)"
exec ./build/server/sonyalpaca serve --camera simulator "$@"
