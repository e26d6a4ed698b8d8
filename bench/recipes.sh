#!/usr/bin/env bash
# bench/recipes.sh — what each training option does to accuracy (issue #17): every recipe below
# trained over seeds 1..5 on a dataset folder, the test accuracy as mean ± sd (sample sd, n = 5),
# the best-epoch test accuracy where --val-split is used, and the median training time.
# Accuracy is deterministic for a given build and --threads; the times are this machine's.
#
#   bench/recipes.sh [NNT [DIR [SEEDS]]]     defaults: build/nnt, bench/work/data/fashion-mnist
#                                            (bench/run.sh writes it), "1 2 3 4 5"
#   RECIPES_FILE=F  one recipe a line, "label|train options", instead of the list below
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
nnt=${1:-$here/../build/nnt}
data=${2:-$here/work/data/fashion-mnist}
seeds=${3:-1 2 3 4 5}
[ -x "$nnt" ] || { echo "recipes: no nnt binary at $nnt" >&2; exit 2; }
[ -d "$data" ] || { echo "recipes: no dataset folder $data" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/nnt-recipes-XXXXXX")
trap 'rm -rf "$work"' EXIT

B="--hidden 256 --epochs 20"
P="$B --scale none --schedule constant" # plain Adam: the defaults before this table chose them
default_recipes="--scale none --schedule constant (plain Adam)|$P
plain Adam + --scale standardize|$B --scale standardize --schedule constant
plain Adam + --scale center|$B --scale center --schedule constant
plain Adam + --dropout 0.2|$P --dropout 0.2
plain Adam + --schedule cosine|$B --scale none --schedule cosine
plain Adam + --weight-decay 0.05|$P --weight-decay 0.05
plain Adam + --augment shift=1|$P --augment shift=1
the defaults (--scale center --schedule cosine)|$B
the defaults + --dropout 0.2|$B --dropout 0.2
--scale standardize (cosine)|$B --scale standardize
--scale standardize --dropout 0.2 (cosine)|$B --scale standardize --dropout 0.2"
if [ -n "${RECIPES_FILE:-}" ]; then recipes=$(cat "$RECIPES_FILE"); else recipes=$default_recipes; fi

field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" "$2" | tail -n 1; }
echo "nnt recipes, $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}; nnt: $nnt; data: $data; seeds: $seeds"
echo
echo "| recipe | test accuracy (mean ± sd) | per seed | train s (median) |"
echo "|---|---|---|---|"
while IFS='|' read -r label opts; do
  [ -n "$label" ] || continue
  accs=() secs=()
  for s in $seeds; do
    # shellcheck disable=SC2086
    "$nnt" train $opts --seed "$s" --json --log-every 0 -q -o "$work/m.bin" "$data" >"$work/out"
    accs+=("$(field test_accuracy "$work/out")")
    secs+=("$(field train_seconds "$work/out")")
  done
  stats=$(printf '%s\n' "${accs[@]}" | awk '{ s += $1; q += $1 * $1; n++ } END {
    m = s / n; v = n > 1 ? (q - n * m * m) / (n - 1) : 0; printf "%.4f ± %.4f", m, sqrt(v > 0 ? v : 0) }')
  med=$(printf '%s\n' "${secs[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] }')
  echo "| \`${label}\` | $stats | ${accs[*]} | $med |"
done <<<"$recipes"
