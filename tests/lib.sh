# lib.sh — shared helpers of the CLI tests: a temp dir, expectations on exit codes and output.
# The test scripts get NNT (the binary) and NNT_SOURCE_DIR from ctest.
set -u
: "${NNT:?set NNT to the nnt binary}"
: "${NNT_SOURCE_DIR:?set NNT_SOURCE_DIR to the source tree}"
T=$(mktemp -d "${TMPDIR:-/tmp}/nnt-cli-XXXXXX")
trap 'rm -rf "$T"' EXIT
passed=0
failed=0

not_same() { ! cmp -s "$1" "$2"; }
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

# expect CODE CMD...: runs CMD, stdout to $T/out, stderr to $T/err, checks the exit code.
expect() {
  local want=$1; shift
  "$@" >"$T/out" 2>"$T/err"
  local got=$?
  if [ "$got" = "$want" ]; then ok; else
    fail "exit $got (wanted $want): $*"; sed 's/^/  stderr: /' "$T/err" | head -5 >&2
  fi
}

# has FILE TEXT: FILE contains the fixed string TEXT.
has() {
  if grep -qF -- "$2" "$1"; then ok; else fail "$1 lacks '$2'"; sed 's/^/  | /' "$1" | head -5 >&2; fi
}

# lines FILE N: FILE has exactly N lines.
lines() {
  local n; n=$(wc -l <"$1")
  if [ "$n" = "$2" ]; then ok; else fail "$1 has $n lines, wanted $2"; fi
}

# check DESCRIPTION COMMAND...: the command succeeds.
check() {
  local what=$1; shift
  if "$@"; then ok; else fail "$what"; fi
}

done_tests() {
  echo "$(basename "$0"): $passed passed, $failed failed"
  [ "$failed" = 0 ]
}
