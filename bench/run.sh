#!/usr/bin/env bash
# bench/run.sh — nnt against its peers (numpy, PyTorch, scikit-learn, PIL), one table of ratios.
#
# Usage: bench/run.sh [--install] [WORKLOAD...]      WORKLOAD: W1 W2 W3 SWEEP (default: all)
#
#   --install      (or NNT_BENCH_INSTALL=1) apt-get install what is missing; needs root.
#                  Without it a missing peer is skipped, and the table says so.
# Environment (all optional):
#   NNT=PATH          the nnt binary to measure (default: build this checkout into $BENCH_WORK/build)
#   NNT_REV=REV       build the committed tree of git revision REV (git archive) instead of the
#                     working tree, e.g. NNT_REV=HEAD while the working tree is mid-edit
#   NNT_CMAKE_ARGS    extra cmake arguments for that build (e.g. -DBLA_VENDOR=FLAME)
#   BENCH_WAIT_QUIET=S  wait up to S seconds for the other processes to leave the CPUs idle
#                     (below 10% busy) before starting (default 0: start at once)
#   BENCH_REPS=K      run every program K times, interleaved, and keep each one's best run
#                     (default 1; use 3 on a machine other jobs share)
#   BENCH_NICE=N      run the measurements at niceness N (e.g. -10, root only): on a shared
#                     machine, background jobs then take less of the CPUs from them
#   CATVNONCAT=DIR    W1's data (default: <repo>/../shared/data/catvnoncat; W1 skipped if absent)
#   FMNIST_IDX=DIR    Fashion-MNIST IDX files (default: /usr/share/datasets/fashion-mnist,
#                     Debian package dataset-fashion-mnist)
#   FMNIST_PNG=DIR    the 10-class PNG folders (default: $BENCH_WORK/data/fashion-mnist, written
#                     once by tools/fashion_mnist_to_png.py, about 1.5 minutes, then reused)
#   BENCH_WORK=DIR    build, data and results (default: bench/work, ignored by git)
#   TORCH_ENV=V=X,..  environment of the PyTorch peer only (default: OMP_WAIT_POLICY=PASSIVE;
#                     set TORCH_ENV= to run it with none)
#   PEERS_ENV=V=X,..  environment of every Python peer (default: none), e.g.
#                     PEERS_ENV=OPENBLAS_CORETYPE=SkylakeX to give numpy and PyTorch the
#                     OpenBLAS kernels nnt picks for itself where OpenBLAS misdetects the CPU
#   SGEMM_LIBS        how sgemm_peak links the BLAS (default: -lopenblas, what nnt links)
# OPENBLAS_* and OMP_* variables already in the environment are left alone (and recorded).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
work=${BENCH_WORK:-$here/work}
py=/usr/bin/python3   # Debian's: the one apt-get gives numpy, torch, sklearn
install=${NNT_BENCH_INSTALL:-0}
workloads=()

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

for arg in "$@"; do
    case $arg in
    --install) install=1 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    W1|W2|W3|SWEEP|w1|w2|w3|sweep) workloads+=("${arg^^}") ;;
    *) die "unknown argument '$arg' (try --help)" ;;
    esac
done
[ ${#workloads[@]} -gt 0 ] || workloads=(W1 W2 W3 SWEEP)
wants() { local w; for w in "${workloads[@]}"; do [ "$w" = "$1" ] && return 0; done; return 1; }
wants_fmnist() { wants W2 || wants W3 || wants SWEEP; }

catvnoncat=${CATVNONCAT:-$(cd "$repo/.." && pwd)/shared/data/catvnoncat}
fmnist_idx=${FMNIST_IDX:-/usr/share/datasets/fashion-mnist}
fmnist_png=${FMNIST_PNG:-$work/data/fashion-mnist}
torch_env=${TORCH_ENV-OMP_WAIT_POLICY=PASSIVE}

# ---- packages ---------------------------------------------------------------------------------
# Debian package -> what it provides here
need_pkgs=(cmake gcc make pkg-config libopenblas-dev libpng-dev zlib1g-dev python3)
peer_pkgs=(python3-numpy python3-pil python3-torch python3-sklearn)
wants_fmnist && peer_pkgs+=(dataset-fashion-mnist)
missing=()
for p in "${need_pkgs[@]}" "${peer_pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$install" = 1 ]; then
        [ "$(id -u)" = 0 ] || die "--install needs root (missing: ${missing[*]})"
        say "installing ${missing[*]}"
        apt-get update -q >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            "${missing[@]}" >&2
    else
        say "not installed: ${missing[*]}; peers that need them are skipped (--install installs them)"
    fi
fi
[ -x "$py" ] || die "$py not found (apt-get install python3, or --install)"
command -v cc >/dev/null || die "no C compiler 'cc' (apt-get install gcc, or --install)"

mkdir -p "$work"

# ---- nnt ----------------------------------------------------------------------------------------
rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "${NNT:-}" ]; then
    nnt=$NNT
    [ -x "$nnt" ] || die "NNT=$nnt is not an executable"
    nnt_source="NNT=$nnt"
else
    command -v cmake >/dev/null || die "cmake not found (apt-get install cmake, or --install; or set NNT=)"
    src=$repo build=$work/build
    nnt_source="working tree at $rev"
    if [ -n "$(git -C "$repo" status --porcelain -- src include CMakeLists.txt 2>/dev/null)" ]; then
        nnt_source="$nnt_source + uncommitted changes"
    fi
    if [ -n "${NNT_REV:-}" ]; then
        rev=$(git -C "$repo" rev-parse --short "$NNT_REV") || die "NNT_REV=$NNT_REV: no such revision"
        src=$work/src-$rev build=$work/build-$rev
        rm -rf "$src" && mkdir -p "$src"
        git -C "$repo" archive "$rev" | tar -x -C "$src"
        nnt_source="git revision $rev"
    fi
    say "building nnt ($nnt_source, Release) in $build"
    # shellcheck disable=SC2086
    cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
        ${NNT_CMAKE_ARGS:-} >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; die "cmake failed"; }
    cmake --build "$build" --target nnt -j "$(nproc)" >>"$work/build.log" 2>&1 ||
        { tail -30 "$work/build.log" >&2; die "building nnt failed (log: $work/build.log)"; }
    nnt=$build/nnt
fi

# ---- sgemm_peak: the machine's large-sgemm rate, through the BLAS nnt links --------------------
# shellcheck disable=SC2046,SC2086
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L $(pkg-config --cflags openblas 2>/dev/null) \
    -o "$work/sgemm_peak" "$here/sgemm_peak.c" ${SGEMM_LIBS:--lopenblas} ||
    die "cannot build sgemm_peak (apt-get install libopenblas-dev, or --install)"

# ---- Fashion-MNIST as PNG folders (written once, then reused) ----------------------------------
if wants_fmnist && [ ! -d "$fmnist_png/train" ]; then
    if [ -d "$fmnist_idx" ]; then
        say "writing the 70,000 Fashion-MNIST PNGs to $fmnist_png (once; about 1.5 minutes)"
        rm -rf "$fmnist_png.tmp"
        "$py" "$repo/tools/fashion_mnist_to_png.py" -q --src "$fmnist_idx" "$fmnist_png.tmp"
        mv "$fmnist_png.tmp" "$fmnist_png"
    else
        say "no Fashion-MNIST IDX files in $fmnist_idx: W2, W3 and SWEEP are skipped"
    fi
fi

# ---- run ------------------------------------------------------------------------------------------
cmdline="bench/run.sh $*"
[ -z "${PEERS_ENV:-}" ] || cmdline="PEERS_ENV=$PEERS_ENV $cmdline"
[ -z "${BENCH_REPS:-}" ] || cmdline="BENCH_REPS=$BENCH_REPS $cmdline"
nice=()
if [ -n "${BENCH_NICE:-}" ]; then
    nice=(nice -n "$BENCH_NICE")
    cmdline="BENCH_NICE=$BENCH_NICE $cmdline"
fi
exec "${nice[@]}" "$py" "$here/bench.py" --nnt "$nnt" --sgemm-peak "$work/sgemm_peak" --work "$work" \
    --catvnoncat "$catvnoncat" --fmnist-png "$fmnist_png" --fmnist-idx "$fmnist_idx" \
    --torch-env "$torch_env" --peer-env "${PEERS_ENV:-}" --command "$cmdline" --nnt-source "$nnt_source" \
    --wait-quiet "${BENCH_WAIT_QUIET:-0}" --reps "${BENCH_REPS:-1}" "${workloads[@]}"
