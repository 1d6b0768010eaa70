#!/usr/bin/env bash
# nnc e2e: runs a command and checks its exit code, what it prints, and (for errors) one-line messages.
# usage: expect.sh [--rc N] [--match REGEX]... [--no-match REGEX]... [--one-line-error] [--file-contains FILE REGEX] -- CMD...
set -u
rc_want=0; matches=(); nomatches=(); one_line=0; files=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rc) rc_want=$2; shift 2 ;;
    --match) matches+=("$2"); shift 2 ;;
    --no-match) nomatches+=("$2"); shift 2 ;;
    --one-line-error) one_line=1; shift ;;
    --file-contains) files+=("$2" "$3"); shift 3 ;;
    --) shift; break ;;
    *) echo "expect.sh: unknown flag $1" >&2; exit 2 ;;
  esac
done
out=$(mktemp); err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$@" >"$out" 2>"$err"
rc=$?
fail=0
echo "--- command: $*"; echo "--- stdout:"; cat "$out"; echo "--- stderr:"; cat "$err"; echo "--- rc: $rc"
if [ "$rc_want" = "nonzero" ]; then
  [ "$rc" -ne 0 ] || { echo "FAIL: expected a non-zero exit code"; fail=1; }
elif [ "$rc" -ne "$rc_want" ]; then echo "FAIL: expected exit code $rc_want, got $rc"; fail=1; fi
[ "$rc" -ge 128 ] && { echo "FAIL: killed by a signal (crash)"; fail=1; }
for re in "${matches[@]+"${matches[@]}"}"; do
  cat "$out" "$err" | grep -Eq -- "$re" || { echo "FAIL: output does not match: $re"; fail=1; }
done
for re in "${nomatches[@]+"${nomatches[@]}"}"; do
  cat "$out" "$err" | grep -Eq -- "$re" && { echo "FAIL: output unexpectedly matches: $re"; fail=1; }
done
if [ $one_line -eq 1 ]; then
  n=$(grep -c . "$err")
  [ "$n" -eq 1 ] || { echo "FAIL: expected exactly one line on stderr, got $n"; fail=1; }
  # Binary formats have no lines: file:line:col where the input is text, file: otherwise.
  grep -Eq '^[^ ]+(:[0-9]+:[0-9]+)?: error: .+' "$err" || { echo "FAIL: stderr does not start with file[:line:col]: error:"; fail=1; }
fi
i=0
while [ $i -lt ${#files[@]} ]; do
  f=${files[$i]}; re=${files[$((i+1))]}
  [ -f "$f" ] || { echo "FAIL: expected file $f"; fail=1; }
  [ -f "$f" ] && { grep -Eq -- "$re" "$f" || { echo "FAIL: $f does not match: $re"; fail=1; }; }
  i=$((i+2))
done
[ $fail -eq 0 ] && echo "PASS"
exit $fail
