#!/usr/bin/env bash
# fuzz.sh — builds and runs nnt's libFuzzer targets (tests/fuzz/), or the test suite under ASan+UBSan.
#
#   tools/fuzz.sh [fuzz] [png] [jpeg] [model]  fuzz each target for $FUZZ_SECONDS (default 60) from
#                                        a copy of its seed corpus; exit 1 on any crash, leak, timeout
#                                        or OOM
#   tools/fuzz.sh replay [png] [jpeg] [model]  run every seed corpus and tests/fuzz/regressions/
#                                        once through the sanitized targets (checks a fix)
#   tools/fuzz.sh sanitize               configure a separate build with -DNNT_SANITIZE=ON, build it
#                                        and run the whole ctest suite under ASan and UBSan
#
# Environment: FUZZ_SECONDS (60), FUZZ_WORK (a fresh mktemp -d: binaries, corpus copies, logs and
# any crash-*/leak-*/timeout-* reproducer), FUZZ_MAX_LEN (65536), FUZZ_CC (clang; not $CC, which CI
# may set to gcc), SANITIZE_BUILD (build-sanitize, for `sanitize`). Needs clang with libFuzzer (on
# Debian: libclang-rt-<version>-dev), libpng-dev, libjpeg62-turbo-dev, zlib1g-dev, libopenblas-dev.
# The committed corpus is never written to: libFuzzer grows a copy under $FUZZ_WORK.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_MAX_LEN=${FUZZ_MAX_LEN:-65536}
FUZZ_CC=${FUZZ_CC:-clang}

usage() {
    sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 2
}

mode=fuzz
case "${1:-}" in
fuzz | replay | sanitize) mode=$1; shift ;;
-h | --help) usage ;;
esac
targets=()
for t in "$@"; do
    case $t in
    png | jpeg | model) targets+=("$t") ;;
    *) echo "fuzz.sh: unknown target '$t' (png, jpeg, model)" >&2; usage ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=(png jpeg model)

if [ "$mode" = sanitize ]; then
    build=${SANITIZE_BUILD:-$ROOT/build-sanitize}
    cmake -S "$ROOT" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNNT_SANITIZE=ON
    cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)"
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    cd "$build" && exec ctest --output-on-failure
fi

# stacks for UBSan reports too (ASan prints them by default)
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
WORK=${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/nnt-fuzz.XXXXXX")}
mkdir -p "$WORK/bin"
echo "fuzz.sh: work folder $WORK"

# ---- build: the target, the nnt sources it needs, libFuzzer's main, ASan and UBSan
CFLAGS_FUZZ=(-g -O1 "-fsanitize=fuzzer,address,undefined" -fno-sanitize-recover=all
    -fno-omit-frame-pointer -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Iinclude)
for t in "${targets[@]}"; do
    # the nnt sources and libraries each target needs (cblas.h: Debian puts it on the default path)
    case $t in
    # png and jpeg: both readers, since img_load picks one by the first bytes
    png | jpeg) args=(src/base/err.c src/base/rng.c src/data/image.c src/data/png.c src/data/jpeg.c
        src/data/resize.c src/formats/wbuf.c src/formats/file.c -lpng -ljpeg -lz -lm) ;;
    model) args=(-DNNT_BLAS_OPENBLAS src/base/err.c src/net/net.c src/net/layers.c src/net/loss.c src/net/act.c src/base/rng.c src/base/blas.c
        src/base/path.c src/formats/model.c src/formats/chunk.c src/formats/meta.c src/formats/wbuf.c
        src/formats/file.c src/formats/checkpoint.c
        -lopenblas -lz -lm) ;;
    esac
    (cd "$ROOT" && "$FUZZ_CC" "${CFLAGS_FUZZ[@]}" "tests/fuzz/fuzz_$t.c" "${args[@]}" -o "$WORK/bin/fuzz_$t") || {
        echo "fuzz.sh: cannot build fuzz_$t (libFuzzer missing? on Debian: apt-get install libclang-rt-dev)" >&2
        exit 1
    }
done
echo "fuzz.sh: built ${targets[*]/#/fuzz_} with $("$FUZZ_CC" --version | head -1)"

# ---- replay: every seed and every saved reproducer, once, through each target
if [ "$mode" = replay ]; then
    inputs=("$ROOT/tests/fuzz/corpus/png"/*.png "$ROOT/tests/fuzz/corpus/jpeg"/*.jpg
        "$ROOT/tests/fuzz/corpus/model"/*.bin)
    shopt -s nullglob
    inputs+=("$ROOT"/tests/fuzz/regressions/*/*)
    shopt -u nullglob
    for t in "${targets[@]}"; do
        echo "fuzz.sh: replaying ${#inputs[@]} inputs through fuzz_$t"
        "$WORK/bin/fuzz_$t" -runs=1 "${inputs[@]}" >"$WORK/replay-$t.log" 2>&1 || {
            cat "$WORK/replay-$t.log" >&2
            echo "fuzz.sh: fuzz_$t FAILED on a replayed input (log above)" >&2
            exit 1
        }
    done
    echo "fuzz.sh: replay clean"
    exit 0
fi

# ---- fuzz: each target in turn, for a bounded time
count() { find "$1" -type f | wc -l; }
failed=()
for t in "${targets[@]}"; do
    corpus="$WORK/corpus/$t"
    artifacts="$WORK/artifacts/$t"
    mkdir -p "$corpus" "$artifacts"
    cp "$ROOT/tests/fuzz/corpus/$t"/* "$corpus/"
    rm -f "$corpus"/*.LICENSE
    echo "fuzz.sh: fuzzing fuzz_$t for ${FUZZ_SECONDS}s from $(count "$corpus") seeds"
    set +e
    # -use_value_profile: guides the fuzzer through comparisons (magic, tags, sizes)
    # -timeout: a single input taking this long is a finding (a hang), as is > rss_limit_mb
    "$WORK/bin/fuzz_$t" "$corpus" \
        -max_total_time="$FUZZ_SECONDS" -max_len="$FUZZ_MAX_LEN" -rss_limit_mb=2048 -timeout=25 \
        -dict="$ROOT/tests/fuzz/$t.dict" -use_value_profile=1 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" >"$WORK/fuzz-$t.log" 2>&1
    rc=$?
    set -e
    found=$(count "$artifacts")
    # libFuzzer's last status line (#N DONE cov: ... ft: ... corp: ...) and its final stats
    grep -E '^#[0-9]+[[:space:]]+DONE|^Done [0-9]+ runs' "$WORK/fuzz-$t.log" | tail -2 || true
    grep -E '^stat::' "$WORK/fuzz-$t.log" || true
    echo "fuzz.sh: fuzz_$t: exit $rc, corpus grew to $(count "$corpus") inputs, $found finding(s)"
    if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
        failed+=("$t")
        # the report: sanitizer or invariant message and stack, then where the input is
        grep -E -A30 'runtime error|invariant failed' "$WORK/fuzz-$t.log" | head -40 >&2 || true
        sed -n '/^==[0-9]*== *ERROR/,/^SUMMARY/p' "$WORK/fuzz-$t.log" | head -60 >&2 || true
        for a in "$artifacts"/*; do
            [ -e "$a" ] || continue
            echo "fuzz.sh: reproducer $a; minimize it with" >&2
            echo "    $WORK/bin/fuzz_$t -minimize_crash=1 -max_total_time=60 -exact_artifact_path=$a.min $a" >&2
        done
        echo "fuzz.sh: full log $WORK/fuzz-$t.log" >&2
    fi
done

if [ ${#failed[@]} -ne 0 ]; then
    echo "fuzz.sh: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz.sh: no findings"
