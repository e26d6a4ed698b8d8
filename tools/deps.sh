#!/usr/bin/env bash
# tools/deps.sh — the module graph of src/ and the rules the layout keeps (docs/ARCHITECTURE.md).
#
#   tools/deps.sh          check the rules; exit 0 when all hold, 1 naming each that does not
#   tools/deps.sh --graph  print the graph, one "module -> module" line per include, and check
#
# A module is a name: include/nnt/NAME.h and the src/*/NAME.c files. Module A depends on B when
# a file of A includes "nnt/B.h". The rules:
#   - the graph has no cycle (tsort, from coreutils, finds one);
#   - only src/base/blas.c includes cblas.h (the one BLAS door);
#   - library code (src/ outside src/cli) never exits, aborts or asserts, and never prints;
#   - one epoch loop: exactly one `for (int epoch` in src/;
#   - every source file opens with a comment line that names it.
set -uo pipefail
cd "$(dirname "$0")/.."
graph=0
[ "${1:-}" = --graph ] && graph=1
bad=0
fail() { echo "deps: $*" >&2; bad=1; }

# module name of a file: its base name without extension
edges=$(for f in $(find src include -name '*.[ch]' | LC_ALL=C sort); do
  from=$(basename "$f"); from=${from%.*}
  grep -oE '^#include "(nnt/)?[a-z_0-9]+\.h"' "$f" | sed -E 's/.*"(nnt\/)?([a-z_0-9]+)\.h"/\2/' |
    while read -r to; do [ "$to" != "$from" ] && echo "$from $to"; done
done | LC_ALL=C sort -u)
[ $graph = 1 ] && echo "$edges" | sed 's/ / -> /'
if ! echo "$edges" | tsort >/dev/null 2>"${TMPDIR:-/tmp}/deps.$$"; then
  fail "the module graph has a cycle: $(grep -v 'input contains a loop' "${TMPDIR:-/tmp}/deps.$$" | sed 's/^tsort: //' | tr '\n' ' ')"
fi
rm -f "${TMPDIR:-/tmp}/deps.$$"

blas=$(grep -rl 'cblas' src include | grep -v '^src/base/blas.c$' || true)
[ -z "$blas" ] || fail "cblas used outside src/base/blas.c: $blas"

lib=$(find src -name '*.[ch]' ! -path 'src/cli/*')
# shellcheck disable=SC2086
exits=$(grep -nE '\b(exit|_exit|abort|assert)\(' $lib || true)
[ -z "$exits" ] || fail "library code that exits or asserts: $exits"
# shellcheck disable=SC2086
prints=$(grep -nE '(^|[^a-z_])(printf|puts|putchar|perror)\(|\bstd(out|err)\b' $lib || true)
[ -z "$prints" ] || fail "library code that prints: $prints"

loops=$(grep -rn 'for (int epoch' src || true)
[ "$(echo "$loops" | grep -c .)" = 1 ] || fail "wanted one epoch loop, found: ${loops:-none}"

for f in $(find src include -name '*.[ch]'); do
  head -1 "$f" | grep -qF "/* $(basename "$f") " || fail "$f does not open with '/* $(basename "$f") — what it owns'"
done
[ $bad = 0 ] && echo "deps: $(echo "$edges" | wc -l) module dependencies, no cycle; cblas only in blas.c; the library never exits or prints; one epoch loop; every file says what it owns"
exit $bad
