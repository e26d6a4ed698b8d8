#!/usr/bin/env bash
# tools/golden.sh — does a change keep what nnt computes? Builds two revisions and runs the same
# golden set of fixed-seed, one-thread commands with each, then compares what they wrote byte for
# byte: model files, JSON lines (times and paths removed), predict/eval output and exports.
#
#   tools/golden.sh OLD NEW       e.g. tools/golden.sh 034f501 HEAD, or NEW = . for the work tree;
#                                 either may also be an nnt binary already built (a path to it)
#   GOLDEN_KEEP=DIR tools/golden.sh ...   keep the outputs in DIR
#   GOLDEN_OLD_FLAGS=... / GOLDEN_NEW_FLAGS=...   options put before every command's own for
#                                 that side only: a deliberate change of defaults is shown to
#                                 change nothing else, e.g. across #17's new defaults
#                                 GOLDEN_NEW_FLAGS="--hidden 4 --scale none --schedule constant
#                                 --patience 0" against a revision before them
#
# Each revision is built in a temporary worktree with -DNNT_MPI=ON when mpicc is there (the
# mpirun commands skip otherwise). The cat set comes from ../shared/data/catvnoncat (or
# NNT_SHARED_DATA); the ten-class set from Fashion-MNIST's IDX files (Debian's
# dataset-fashion-mnist), converted by tools/fashion_mnist_to_png.py; commands whose data is
# absent are skipped and named. No hashes are frozen anywhere: the two builds run on the same
# machine with the same BLAS kernels, so a difference is the change's. Exit 0 when every output
# is identical, 1 when any differs (each difference is named), 2 on a usage or build error.
set -euo pipefail
usage() { echo "usage: tools/golden.sh OLD NEW   (revisions; NEW may be . for the work tree)" >&2; exit 2; }
[ $# = 2 ] || usage
SRC=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
SHARED=${NNT_SHARED_DATA:-$SRC/../shared/data}
W=${GOLDEN_KEEP:-$(mktemp -d "${TMPDIR:-/tmp}/nnt-golden-XXXXXX")}
mkdir -p "$W"
[ -n "${GOLDEN_KEEP:-}" ] || trap 'rm -rf "$W"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MPI=OFF
command -v mpicc >/dev/null && command -v mpirun >/dev/null && MPI=ON

# build NAME REV: the nnt binary of REV in $W/NAME/src/build/nnt
build() {
  local name=$1 rev=$2 dir=$W/$1/src
  rm -rf "$W/$name"; mkdir -p "$W/$name"
  if [ "$rev" != . ] && [ -f "$rev" ] && [ -x "$rev" ]; then # a binary: used as it is
    mkdir -p "$dir/build" && ln -s "$(cd "$(dirname "$rev")" && pwd)/$(basename "$rev")" "$dir/build/nnt"
    return
  fi
  if [ "$rev" = . ]; then
    # the work tree as it stands, tracked and untracked files alike (not the ignored ones)
    mkdir -p "$dir"
    (cd "$SRC" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$dir" 2>/dev/null || true)
  else
    git -C "$SRC" rev-parse --verify -q "$rev^{commit}" >/dev/null || { echo "golden: no revision $rev" >&2; exit 2; }
    mkdir -p "$dir" && git -C "$SRC" archive "$rev" | tar -x -C "$dir"
  fi
  echo "golden: building $name ($rev) ..." >&2
  if ! { cmake -S "$dir" -B "$dir/build" -DNNT_MPI=$MPI -DBUILD_TESTING=OFF &&
         cmake --build "$dir/build" -j"$(nproc)" --target nnt; } >"$W/$name/build.log" 2>&1; then
    echo "golden: build of $rev failed; see $W/$name/build.log" >&2; tail -20 "$W/$name/build.log" >&2; exit 2
  fi
}

# data: data/ as shipped, the cat set if present, a small ten-class Fashion-MNIST set if present
DATA=$SRC/data
CAT=$SHARED/catvnoncat
TEN=$W/ten
FM=/usr/share/datasets/fashion-mnist
if [ -f "$FM/train-images-idx3-ubyte.gz" ] && [ ! -d "$TEN" ]; then
  python3 "$SRC/tools/fashion_mnist_to_png.py" --per-class-train 60 --per-class-test 20 "$TEN" >/dev/null
fi

T1="--threads 1 --json"
TUT="--batch full --optimizer sgd --init normal --lr 0.0075 --epochs 2500 --hidden 7"
# The golden set: NAME|DATASET|ranks|train options. Every command trains with --threads 1 but
# the threads2-* ones, which split each step over a team of 2 (a fixed split: the same bits
# every run).
GOLDEN=(
  "cat-primal|cat|1|$TUT --solver primal"
  "cat-dual|cat|1|$TUT --solver dual"
  "cat-dual-momentum-l2|cat|1|--batch full --optimizer momentum --lr 0.005 --epochs 300 --hidden 5 --l2 0.1 --solver dual"
  "act-sigmoid|data|1|--act sigmoid --hidden 6 --epochs 15"
  "act-tanh|data|1|--act tanh --hidden 6 --epochs 15"
  "act-relu|data|1|--act relu --hidden 6 --epochs 15"
  "act-leaky|data|1|--act leaky-relu --hidden 6 --epochs 15"
  "sgd-batch32|data|1|--optimizer sgd --lr 0.05 --batch 32 --epochs 10 --hidden 5 --seed 3"
  "momentum-batch50|data|1|--optimizer momentum --lr 0.02 --batch 50 --epochs 10 --hidden 5 --seed 4"
  "adam-full|data|1|--optimizer adam --batch full --epochs 60 --hidden 5 --solver primal"
  "sgd-full-primal|data|1|--optimizer sgd --batch full --lr 0.1 --epochs 80 --hidden 5 --solver primal --init xavier"
  "dual-auto|data|1|--optimizer sgd --batch full --lr 0.1 --epochs 80 --hidden 5 --init xavier"
  "l2-adam|data|1|--l2 0.05 --hidden 6 --epochs 12"
  "val-patience|data|1|--val-split 0.25 --patience 2 --hidden 6 --epochs 40 --lr 0.01"
  "val-patience-dual|data|1|--val-split 0.2 --patience 3 --batch full --optimizer sgd --lr 0.5 --epochs 200 --hidden 4 --solver dual"
  "resize|data|1|--size 14x14 --hidden 4 --epochs 8"
  "default|data|1|"
  "ten-adam|ten|1|--hidden 32 --batch 40 --epochs 6 --seed 2"
  "ten-sgd-full|ten|1|--hidden 16 --batch full --optimizer sgd --lr 0.2 --epochs 40 --solver primal"
  "ten-momentum-val|ten|1|--hidden 24 --optimizer momentum --lr 0.05 --batch 30 --epochs 8 --val-split 0.2 --patience 3"
  "threads2-adam|ten|1|--hidden 64 --batch 40 --epochs 3 --seed 5 --threads 2"
  "threads2-sgd|ten|1|--hidden 64 --batch 50 --optimizer sgd --lr 0.1 --epochs 3 --threads 2"
  "threads2-momentum-l2|ten|1|--hidden 96 --batch full --optimizer momentum --lr 0.05 --l2 0.01 --epochs 20 --solver primal --threads 2"
  "mpi2-batch|data|2|--hidden 8 --batch 64 --epochs 6 --val-split 0.2"
  "mpi2-full|data|2|--batch full --optimizer sgd --init normal --lr 0.0075 --epochs 200 --hidden 4"
  "mpi3-batch|ten|3|--hidden 16 --batch 30 --epochs 4"
  "mpi3-full|data|3|--batch full --optimizer momentum --lr 0.05 --epochs 50 --hidden 4 --solver primal"
)

# strip: what is measured rather than computed (times, rates, paths) leaves the JSON lines
strip() { sed -E 's/"(seconds|load_seconds|train_seconds)":[0-9.e+-]+/"\1":T/g; s/"model":"[^"]*"/"model":P/'; }

# run NAME: the golden set with $W/NAME/src/build/nnt, outputs in $W/NAME/out
run() {
  local name=$1 nnt=$W/$1/src/build/nnt out=$W/$1/out entry cmd data np opts side=$2
  mkdir -p "$out"
  for entry in "${GOLDEN[@]}"; do
    IFS='|' read -r cmd data np opts <<<"$entry"
    case $data in data) d=$DATA ;; cat) d=$CAT ;; ten) d=$TEN ;; esac
    [ -d "$d" ] || { echo "$cmd: skipped ($data set absent)" >"$out/$cmd.skip"; continue; }
    if [ "$np" -gt 1 ] && [ "$MPI" != ON ]; then echo "$cmd: skipped (no MPI)" >"$out/$cmd.skip"; continue; fi
    local pre=()
    [ "$np" -gt 1 ] && pre=(timeout 300 mpirun -np "$np" --oversubscribe)
    # shellcheck disable=SC2086
    if "${pre[@]}" "$nnt" train $T1 $side $opts -o "$out/$cmd.bin" "$d" >"$out/$cmd.raw" 2>"$out/$cmd.err"; then
      strip <"$out/$cmd.raw" >"$out/$cmd.json"
    else
      echo "exit $?" >"$out/$cmd.json"; cat "$out/$cmd.err" >>"$out/$cmd.json"
    fi
    rm -f "$out/$cmd.raw"
    # stderr without its rates and times: the messages, the progress values, the solver line
    sed -E 's/ +[0-9]+ img\/s//; s/ +ETA [0-9:]+//; s/in [0-9.]+ s/in T s/g; s#'"$out"'#OUT#g' "$out/$cmd.err" >"$out/$cmd.stderr"
    rm -f "$out/$cmd.err"
    [ -f "$out/$cmd.bin" ] || continue
    # what the model does with images and how it leaves nnt: predict, eval, info, exports
    local td=$d/test; [ -d "$td" ] || td=$d
    find "$td" -name '*.png' | LC_ALL=C sort | head -200 >"$out/$cmd.list"
    xargs -d '\n' "$nnt" predict "$out/$cmd.bin" <"$out/$cmd.list" >"$out/$cmd.predict" 2>&1 || true
    "$nnt" eval --json "$out/$cmd.bin" "$d" 2>/dev/null | strip >"$out/$cmd.eval" || true
    "$nnt" info "$out/$cmd.bin" 2>&1 | grep -v '^\(file\|modified\) ' >"$out/$cmd.info" || true
    "$nnt" export --format npz "$out/$cmd.bin" "$out/$cmd.npz" >/dev/null 2>&1 || true
    "$nnt" export --format onnx "$out/$cmd.bin" "$out/$cmd.onnx" >/dev/null 2>&1 || true
    rm -f "$out/$cmd.list"
  done
}

build old "$1"
build new "$2"
echo "golden: running ${#GOLDEN[@]} commands with each build (MPI $MPI) ..." >&2
run old "${GOLDEN_OLD_FLAGS:-}"
run new "${GOLDEN_NEW_FLAGS:-}"

# compare: every file of either side, byte for byte
differ=0 same=0 skipped=0
for f in $( (cd "$W/old/out" && ls; cd "$W/new/out" && ls) | LC_ALL=C sort -u); do
  case $f in *.skip) skipped=$((skipped + 1)); cat "$W/old/out/$f"; continue ;; esac
  if cmp -s "$W/old/out/$f" "$W/new/out/$f"; then same=$((same + 1)); else
    differ=$((differ + 1)); echo "DIFFERS: $f"
    if [ "${f##*.}" != bin ] && [ "${f##*.}" != npz ] && [ "${f##*.}" != onnx ]; then
      diff "$W/old/out/$f" "$W/new/out/$f" 2>&1 | head -6 | sed 's/^/  /'  || true
    fi
  fi
done
echo "golden: $1 vs $2: ${#GOLDEN[@]} commands, $same files identical, $differ differ, $skipped commands skipped"
[ "$differ" = 0 ]
