#!/usr/bin/env bash
# bench/mpi.sh — issue #6's measurement: Fashion-MNIST, 256 hidden units, batch 128, 3 epochs
# (the defaults otherwise: Adam), 1 rank x 1 thread against 2 ranks x 1 thread, both under
# mpirun, in PAIRS back-to-back pairs (alternating which goes first). Prints each pair's
# train_seconds and test accuracy, then the median and best of the per-pair speed-ups.
# Then, to show what two busy cores cost each other here, two independent 1-rank trainings at
# once against one alone; and the speed-up 2 ranks would reach with an exchange that cost
# nothing: each rank's work (batch 64 on half the images, every second file of each class) run
# as two independent trainings at once, one per core, against the whole job on one.
# Usage: bench/mpi.sh [NNT [FMNIST_PNG_DIR [PAIRS]]]   (NNT built with -DNNT_MPI=ON)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
nnt=${1:-$here/../build/nnt}
data=$(cd "${2:-$here/work/data/fashion-mnist}" && pwd)
pairs=${3:-7}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work=$(mktemp -d "${TMPDIR:-/tmp}/nnt-mpi-XXXXXX")
trap 'rm -rf "$work"' EXIT
args=(train --hidden 256 --batch 128 --epochs 3 --seed 1 --threads 1 --log-every 0 --json --quiet)
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" "$2" | tail -n 1; }
run() { # run NP OUT: the JSON lines in OUT, the model in OUT.bin
  mpirun -np "$1" "$nnt" "${args[@]}" -o "$2.bin" "$data" >"$2"
}
ratios=()
for i in $(seq "$pairs"); do
  if [ $((i % 2)) = 1 ]; then run 1 "$work/one"; run 2 "$work/two"; else run 2 "$work/two"; run 1 "$work/one"; fi
  t1=$(field train_seconds "$work/one"); t2=$(field train_seconds "$work/two")
  r=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.2f", a / b }')
  ratios+=("$r")
  echo "pair $i: 1 rank $t1 s (test $(field test_accuracy "$work/one")), 2 ranks $t2 s (test $(field test_accuracy "$work/two")), speed-up $r"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END {
  printf "speed-up of 2 ranks over 1: median %.2f, best %.2f, worst %.2f (%d pairs)\n", a[int((NR + 1) / 2)], a[NR], a[1], NR }'
# two busy cores: one training alone, then two independent ones at once (plain processes: two
# mpiruns would each bind their rank to the first core)
plain() { "$nnt" "${args[@]}" -o "$1.bin" "$data" >"$1"; }
alone=(); both=()
for i in 1 2 3; do
  plain "$work/a"; alone+=("$(field train_seconds "$work/a")")
  plain "$work/b" & plain "$work/c"; wait
  both+=("$(field train_seconds "$work/b")" "$(field train_seconds "$work/c")")
done
echo "one 1-thread training alone: ${alone[*]} s; two independent ones at once, each: ${both[*]} s"
# the ceiling: two halves at once, with no exchange between them (each still updates every
# parameter, where a rank updates half)
half="$work/half"
mkdir -p "$half/train"
ln -s "$data/test" "$half/test"
for dir in "$data/train"/*/; do # every second file of each class
  c=$(basename "$dir")
  mkdir "$half/train/$c"
  find "$dir" -maxdepth 1 -type f | LC_ALL=C sort | awk 'NR % 2 == 0' |
    xargs -d '\n' ln -s -t "$half/train/$c"
done
hargs=("${args[@]/#128/64}")
ceil=()
for i in 1 2 3; do
  plain "$work/a"
  taskset -c 0 "$nnt" "${hargs[@]}" -o "$work/b.bin" "$half" >"$work/b" &
  taskset -c 1 "$nnt" "${hargs[@]}" -o "$work/c.bin" "$half" >"$work/c"
  wait
  ceil+=("$(awk -v a="$(field train_seconds "$work/a")" -v b="$(field train_seconds "$work/b")" \
    -v c="$(field train_seconds "$work/c")" 'BEGIN { printf "%.2f", a / (b > c ? b : c) }')")
done
echo "ceiling (whole job on one core / the slower of two half jobs at once, no exchange): ${ceil[*]}"
