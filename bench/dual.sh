#!/usr/bin/env bash
# bench/dual.sh — the dual solver against the primal one and the tutorial's numpy code on the cat
# set: train_seconds of each (median of RUNS runs, run one after another), accuracies, and W1's
# relative difference between dual and primal. Usage: bench/dual.sh [NNT [CATVNONCAT [RUNS]]]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
nnt=${1:-$repo/build/nnt}
cat=${2:-$repo/../shared/data/catvnoncat}
runs=${3:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/nnt-dual-XXXXXX")
trap 'rm -rf "$work"' EXIT
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -I"$repo/include" "$here/w1_diff.c" \
  "$repo/build/libnntcore.a" -lopenblas -lpng -lz -lm -lpthread -o "$work/w1_diff"
tut=(--batch full --optimizer sgd --init normal --hidden 7 --act relu --lr 0.0075 --epochs 2500 --seed 1)
for solver in dual primal; do
  for i in $(seq "$runs"); do
    "$nnt" train "${tut[@]}" --solver "$solver" --json -q -o "$work/$solver.bin" "$cat" | tail -n 1 >"$work/$solver.$i.json"
    echo "nnt --solver $solver run $i: $(cat "$work/$solver.$i.json")"
  done
done
"$work/w1_diff" "$work/dual.bin" "$work/primal.bin"
numpy=${NUMPY_BENCH:-$repo/bench/tutorial_numpy.py}
[ -f "$numpy" ] || numpy=$repo/../main/bench/tutorial_numpy.py
if [ -f "$numpy" ]; then
  for i in $(seq "${NUMPY_RUNS:-1}"); do
    echo "numpy float32 run $i: $(/usr/bin/python3 "$numpy" --dtype float32 "$cat")"
  done
fi
