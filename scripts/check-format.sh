#!/usr/bin/env bash
# Checks that the C++ sources (*.cpp, *.hpp under alpaca config focus imaging ptp server tests bench)
# are formatted as .clang-format says; changes nothing unless --fix is given. A ctest (`format`).
#   scripts/check-format.sh           list the files clang-format would change; exit 1 if any
#   scripts/check-format.sh --diff    the same, with the changes as a unified diff
#   scripts/check-format.sh --fix     format those files in place
# The files are the tracked and untracked ones git knows (ignored ones left out), or, outside a git
# checkout, every such file under those directories.
# clang-format is CLANG_FORMAT if set, else `clang-format` (Debian package clang-format; installed by
# scripts/install-deps.sh). A missing one is a failure, not a skip. .clang-format uses only options
# clang-format 14 (Debian 12) understands, and 14 and 19 (Debian 13) format this tree alike: a tree
# formatted by either passes the check of the other. Other versions may disagree on a few lines.
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
cd "$source_dir"

fail() { echo "check-format: FAIL: $*" >&2; exit 1; }
mode=check
case "${1:-}" in
  "") ;;
  --fix) mode="fix" ;;
  --diff) mode="diff" ;;
  *) echo "usage: check-format.sh [--fix | --diff]" >&2; exit 2 ;;
esac

clang_format=${CLANG_FORMAT:-clang-format}
command -v "$clang_format" >/dev/null 2>&1 ||
  fail "$clang_format is missing: apt-get install clang-format (scripts/install-deps.sh installs it)"
version=$("$clang_format" --version | sed -n 's/.*clang-format version \([0-9][0-9.]*\).*/\1/p')
[ -f .clang-format ] || fail "$source_dir/.clang-format is missing"

directories=(alpaca config focus imaging ptp server tests bench)
files=()
if git -C "$source_dir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  while IFS= read -r -d '' file; do
    [ -f "$file" ] && files+=("$file")  # not a tracked file deleted in the work tree
  done < <(git ls-files -z --cached --others --exclude-standard -- \
             "${directories[@]/%//*.cpp}" "${directories[@]/%//*.hpp}" | sort -zu)
else
  while IFS= read -r -d '' file; do files+=("$file"); done < <(
    find "${directories[@]}" -type f \( -name '*.cpp' -o -name '*.hpp' \) -print0 2>/dev/null | sort -z)
fi
[ ${#files[@]} -gt 0 ] || fail "no C++ files found under ${directories[*]}"

if [ "$mode" = fix ]; then
  "$clang_format" -i --style=file "${files[@]}"
  echo "check-format: formatted ${#files[@]} files with clang-format ${version:-?}"
  exit 0
fi

# --dry-run --Werror: one "FILE:LINE:COL: error: code should be clang-formatted" per place it would
# change; anything else it prints (a .clang-format it cannot read) is a failure of its own.
output=$("$clang_format" --dry-run --Werror --style=file "${files[@]}" 2>&1) && status=0 || status=$?
# FILE COUNT per file that would change (COUNT: the places in it).
mapfile -t differing < <(printf '%s\n' "$output" | awk '
  match($0, /:[0-9]+:[0-9]+: error: code should be clang-formatted/) { count[substr($0, 1, RSTART - 1)]++ }
  END { for (file in count) print file, count[file] }' | sort)
if [ "$status" -ne 0 ] && [ ${#differing[@]} -eq 0 ]; then
  printf '%s\n' "$output" | head -n 20 >&2
  fail "clang-format ${version:-?} failed (exit $status) on .clang-format or the files"
fi
if [ ${#differing[@]} -eq 0 ]; then
  echo "check-format: all ${#files[@]} files are formatted as .clang-format says (clang-format ${version:-?})"
  exit 0
fi
echo "check-format: ${#differing[@]} of ${#files[@]} files differ from .clang-format (clang-format ${version:-?}):"
places=0
for entry in "${differing[@]}"; do
  file=${entry% *}
  places=$((places + ${entry##* }))
  echo "  $file (${entry##* } places)"
  if [ "$mode" = diff ]; then
    "$clang_format" --style=file "$file" | diff -u --label "a/$file" --label "b/$file" "$file" - || true
  fi
done
fail "${#differing[@]} files are not formatted ($places places); scripts/check-format.sh --diff shows the changes, --fix makes them"
