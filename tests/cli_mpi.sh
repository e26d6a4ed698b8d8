# cli_mpi.sh — data-parallel training over 2 MPI ranks on loopback: the full-batch model of 2 ranks
# predicts as the 1-rank model does, mini-batches train (with dropout and augmentation too), rank
# 0 alone reports, and a failure on one rank (bad file, divergence) stops both with one message
# and exit 1, never a hang; a stopped rank leaves the other idle; nnt tune deals whole trials to
# the ranks and prints one process's table.
# Skips (77) unless nnt was built with -DNNT_MPI=ON and mpirun is at hand.
. "$(dirname "$0")/lib.sh"
D="$NNT_SOURCE_DIR/data"
MPIRUN=${NNT_MPIEXEC:-$(command -v mpirun)}
if [ "${NNT_MPI:-0}" != 1 ] || [ -z "$MPIRUN" ] || ! [ -x "$MPIRUN" ]; then
  echo "cli_mpi: nnt built without MPI (cmake -DNNT_MPI=ON) or no mpirun; skipped"
  exit 77
fi
# Open MPI refuses root unless told; --oversubscribe lets 2 ranks run on a 1-core machine.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# shellcheck disable=SC2206
FLAGS=(${NNT_MPIRUN_FLAGS:---oversubscribe})
mpi() { local np=$1; shift; timeout 120 "$MPIRUN" -np "$np" "${FLAGS[@]}" "$@"; }

# ---- full batch: 1 rank and 2 ranks give the same model, up to summation order ----
TUT="--batch full --optimizer sgd --init normal --lr 0.0075 --epochs 500 --hidden 4 --threads 1 --json"
expect 0 mpi 1 "$NNT" train $TUT -o "$T/one.bin" "$D"
tail -n 1 "$T/out" >"$T/one.json"
expect 0 mpi 2 "$NNT" train $TUT -o "$T/two.bin" "$D"
tail -n 1 "$T/out" >"$T/two.json"
lines "$T/out" 501 # rank 0 alone prints: one line per epoch and the summary
has "$T/two.json" '"train_images":600,"val_images":0,"test_images":200'
has "$T/err" "by 2 ranks"
find "$D/test" -name '*.png' | sort >"$T/list"
# agree A.bin B.bin WHAT: both models predict the same labels on data/test, probabilities within 1e-3
agree() {
  xargs -d '\n' "$NNT" predict "$1" <"$T/list" >"$T/p1"
  xargs -d '\n' "$NNT" predict "$2" <"$T/list" >"$T/p2"
  lines "$T/p2" "$(wc -l <"$T/list")"
  check "$3 predictions agree (labels equal, probabilities within 1e-3)" \
    awk -F'\t' 'NR == FNR { l[FNR] = $2; p[FNR] = $3; next }
      { d = $3 - p[FNR]; if ($2 != l[FNR] || d > 1e-3 || d < -1e-3) bad++ } END { exit bad > 0 }' \
    "$T/p1" "$T/p2"
}
field() { sed "s/.*\"$1\":\([0-9.]*\).*/\1/" "$2"; }
agree "$T/one.bin" "$T/two.bin" "1-rank and 2-rank"
acc1=$(field test_accuracy "$T/one.json")
acc2=$(field test_accuracy "$T/two.json")
check "test accuracy $acc1 (1 rank) equals $acc2 (2 ranks)" test "$acc1" = "$acc2"

# ---- ... and with a validation split: the ranks split the file list as one process does and
# load their shards of both parts, so they hold out the same images and train the same model ----
VS="$TUT --epochs 300 --val-split 0.2"
expect 0 mpi 1 "$NNT" train $VS -o "$T/vs1.bin" "$D"
tail -n 1 "$T/out" >"$T/vs1.json"
expect 0 mpi 2 "$NNT" train $VS -o "$T/vs2.bin" "$D"
tail -n 1 "$T/out" >"$T/vs2.json"
has "$T/vs2.json" '"train_images":480,"val_images":120,"test_images":200'
agree "$T/vs1.bin" "$T/vs2.bin" "with --val-split, 1-rank and 2-rank"
v1=$(field val_accuracy "$T/vs1.json")
v2=$(field val_accuracy "$T/vs2.json")
check "validation accuracy $v1 (1 rank) equals $v2 (2 ranks): the same held-out images" test "$v1" = "$v2"

# ---- --scale: the statistics are sums over the ranks' training shards (of whole numbers: the
# same bits in any order), so 2 ranks scale and fold as one process does ----
SC="$TUT --epochs 100 --val-split 0.2 --scale standardize"
expect 0 mpi 1 "$NNT" train $SC -o "$T/sc1.bin" "$D"
tail -n 1 "$T/out" >"$T/sc1.json"
expect 0 mpi 2 "$NNT" train $SC -o "$T/sc2.bin" "$D"
tail -n 1 "$T/out" >"$T/sc2.json"
agree "$T/sc1.bin" "$T/sc2.bin" "with --scale standardize, 1-rank and 2-rank"
check "scaled: test accuracy $(field test_accuracy "$T/sc1.json") (1 rank) equals 2 ranks'" \
  test "$(field test_accuracy "$T/sc1.json")" = "$(field test_accuracy "$T/sc2.json")"
expect 0 "$NNT" info "$T/sc2.bin"
has "$T/out" "scale=standardize"

# ---- mini-batches: each rank holds whole strata of the batch order (order.h), so 1, 2 and 3
# ranks take the same batches and train the same model, up to summation order (Adam, a
# validation split; with each rank shuffling its own shard, as before, probabilities differed
# by up to 0.0075 here) ----
MB="--json -q --batch 64 --epochs 5 --val-split 0.2 --threads 1"
for np in 1 2 3; do
  expect 0 mpi "$np" "$NNT" train $MB -o "$T/mb$np.bin" "$D"
  has "$T/out" '"train_images":480,"val_images":120,"test_images":200'
  tail -n 1 "$T/out" >"$T/mb$np.json"
done
agree "$T/mb1.bin" "$T/mb2.bin" "mini-batches, 1-rank and 2-rank"
agree "$T/mb1.bin" "$T/mb3.bin" "mini-batches, 1-rank and 3-rank"
for np in 2 3; do
  a1=$(field test_accuracy "$T/mb1.json")
  an=$(field test_accuracy "$T/mb$np.json")
  check "mini-batches: test accuracy $a1 (1 rank) equals $an ($np ranks)" test "$a1" = "$an"
done
# ---- dropout and --augment: each image's mask and transform follow its place in the training
# list, not the rank that holds it, so 1 and 2 ranks train the same model up to summation order ----
for run in "dropout:--batch 64 --hidden 16 --dropout 0.3" \
           "augment:--batch 32 --hidden 8 --augment shift=1,rotate=10,elastic=8:3"; do
  name=${run%%:*}
  for np in 1 2; do
    expect 0 mpi "$np" "$NNT" train --json -q --epochs 3 --threads 1 ${run#*:} -o "$T/$name$np.bin" "$D"
    tail -n 1 "$T/out" >"$T/$name$np.json"
  done
  agree "$T/${name}1.bin" "$T/${name}2.bin" "$name, 1-rank and 2-rank"
  a1=$(field test_accuracy "$T/${name}1.json")
  a2=$(field test_accuracy "$T/${name}2.json")
  check "$name: test accuracy $a1 (1 rank) equals $a2 (2 ranks)" test "$a1" = "$a2"
done
# a batch smaller than the ranks would leave a rank without a share of some step
expect 2 mpi 2 "$NNT" train --batch 1 --epochs 1 -o "$T/b1.bin" "$D"
has "$T/err" "--batch 1 is smaller than the 2 ranks"
check "no model from a usage error" test ! -e "$T/b1.bin"

# ---- the exchange: ranks on one host share memory; across hosts they use MPI collectives
# (forced here with NNT_MPI_SHARED_MEMORY=0). The sums run in rank order either way, so the two
# train the same model, bit for bit: Adam, L2, mini-batches, and patience restoring the best
# epoch's weights (each rank restores its part and hands it on) ----
EX="--json -q --batch 64 --epochs 5 --val-split 0.2 --patience 1 --l2 1e-4 --threads 1"
expect 0 mpi 2 "$NNT" train $EX -o "$T/shm.bin" "$D"
has "$T/out" '"ranks":2,"exchange":"shared memory"'
NNT_MPI_SHARED_MEMORY=0 expect 0 mpi 2 "$NNT" train $EX -o "$T/coll.bin" "$D"
has "$T/out" '"ranks":2,"exchange":"MPI collectives"'
check "shared memory and MPI collectives train the same model, bit for bit" \
  cmp "$T/shm.bin" "$T/coll.bin"
# ... on 3 ranks too, where the order of the additions is not a + b = b + a: both add in rank
# order (MPI_Reduce_scatter would group the terms its own way)
expect 0 mpi 3 "$NNT" train $EX -o "$T/shm3.bin" "$D"
NNT_MPI_SHARED_MEMORY=0 expect 0 mpi 3 "$NNT" train $EX -o "$T/coll3.bin" "$D"
has "$T/out" '"ranks":3,"exchange":"MPI collectives"'
check "3 ranks: shared memory and MPI collectives train the same model, bit for bit" \
  cmp "$T/shm3.bin" "$T/coll3.bin"
# ... and the exchange itself (tests/test_reducer_mpi.c, which ctest names in NNT_TEST_REDUCER):
# each element taken once a step, the ranks' sums, and shared blocks that start on cache lines
if [ -n "${NNT_TEST_REDUCER:-}" ]; then
  for np in 2 3; do
    expect 0 mpi "$np" "$NNT_TEST_REDUCER"
    has "$T/out" "rank 0 of $np, shared memory"
    NNT_MPI_SHARED_MEMORY=0 expect 0 mpi "$np" "$NNT_TEST_REDUCER"
    has "$T/out" "rank 0 of $np, MPI collectives"
  done
else
  echo "cli_mpi: NNT_TEST_REDUCER not set (run by ctest); the reducer's own test not run"
fi
# two threads per rank split each rank's step and its part of the update (unbound: mpirun
# binds each of 2 ranks to one core, and nnt uses no more threads than it has CPUs)
expect 0 mpi 2 --bind-to none "$NNT" train --json -q --batch 64 --epochs 2 --hidden 64 --threads 2 -o "$T/t2.bin" "$D"
has "$T/out" '"threads":2,"ranks":2,"exchange":"shared memory"'

# ---- a bad file in rank 1's shard (the scan's second file): both stop, one message ----
cp -r "$D" "$T/bad"
bad=$(find "$T/bad/train" -name '*.png' | LC_ALL=C sort | sed -n 2p)
echo "not a png" >"$bad"
expect 1 mpi 2 "$NNT" train -q --epochs 2 --threads 1 -o "$T/bad.bin" "$T/bad"
has "$T/err" "$bad: not a PNG or JPEG image"
check "one message" test "$(grep -c '^nnt: ' "$T/err")" = 1
check "no model written" test ! -e "$T/bad.bin"
# ... and skipped with --skip-bad, counted once over all ranks
expect 0 mpi 2 "$NNT" train --json --skip-bad --epochs 2 --threads 1 -o "$T/skip.bin" "$T/bad"
has "$T/out" '"train_images":599'
has "$T/out" '"skipped":1'
has "$T/err" "$bad"
# ... but not when every training image of a class fails, though each rank still has others
cp -r "$D" "$T/lost"
for f in "$T/lost/train/sneaker/"*.png; do echo "not a png" >"$f"; done
expect 1 mpi 2 "$NNT" train -q --skip-bad --epochs 2 --threads 1 -o "$T/lost.bin" "$T/lost"
has "$T/err" "--skip-bad left a class without images: training: sneaker (all 300 failed to decode)"
check "one message" test "$(grep -c '^nnt: ' "$T/err")" = 1

# ---- images of another size in rank 1's shard only: the load names the file ----
cp -r "$D" "$T/size"
odd=$(find "$T/size/train" -name '*.png' | LC_ALL=C sort | sed -n 4p)
cp "$NNT_SOURCE_DIR/tests/fuzz/corpus/png/basn0g08.png" "$odd" # 32x32; the others are 28x28
expect 1 mpi 2 "$NNT" train -q --epochs 2 --threads 1 -o "$T/size.bin" "$T/size"
has "$T/err" "$odd"

# ---- ranks that see different folders (as hosts without a shared file system might) ----
cp -r "$D" "$T/fewer"
rm "$(find "$T/fewer/train" -name '*.png' | LC_ALL=C sort | head -n 1)"
expect 1 timeout 120 "$MPIRUN" "${FLAGS[@]}" -np 1 "$NNT" train -q --epochs 1 --threads 1 -o "$T/f.bin" "$D" : \
  -np 1 "$NNT" train -q --epochs 1 --threads 1 -o "$T/f.bin" "$T/fewer"
has "$T/err" "the ranks see different images (599 to 600 training"

# ---- divergence: every rank stops at the same step, with one message ----
expect 1 mpi 2 "$NNT" train -q --optimizer sgd --lr 1e30 --epochs 2 --threads 1 -o "$T/div.bin" "$D"
has "$T/err" "training diverged at epoch 1"
check "one divergence message" test "$(grep -c '^nnt: ' "$T/err")" = 1

# ---- a signal to one rank alone: every rank stops after the same step, rank 0 says so once,
# no model is written, and the exit status is not 0 ----
mpi 2 "$NNT" train --epochs 1000000 --threads 1 -o "$T/sig.bin" "$D" >"$T/out" 2>"$T/err" &
run=$!
rank1=""
for _ in $(seq 300); do # the ranks' pids, once both have loaded and started training
  if grep -q "loaded in" "$T/err" 2>/dev/null; then
    for p in $(pgrep -f -- "--epochs 1000000 --threads 1 -o $T/sig.bin" || true); do
      if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=1; then
        rank1=$p
      fi
    done
  fi
  [ -n "$rank1" ] && break
  sleep 0.1
done
check "found rank 1's process" test -n "$rank1"
[ -n "$rank1" ] && kill -TERM "$rank1"
wait "$run"
code=$?
check "exit status $code is not 0" test "$code" != 0
has "$T/err" "interrupted by SIGTERM"
check "one message, from rank 0" test "$(grep -c 'interrupted by' "$T/err")" = 1
check "no model written" test ! -e "$T/sig.bin"

# ---- a stopped rank (SIGSTOP) leaves the other idle, not spinning a core, and the run goes on
# after SIGCONT; both exchanges (shared memory, and MPI's collectives) ----
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for shm in 1 0; do
  rm -f "$T/err"
  NNT_MPI_SHARED_MEMORY=$shm mpi 2 -x NNT_MPI_SHARED_MEMORY "$NNT" train --epochs 1000000 \
    --threads 1 --log-every 1 -o "$T/stop.bin" "$D" >"$T/out" 2>"$T/err" &
  run=$!
  r0="" r1=""
  for _ in $(seq 300); do
    if grep -q "^epoch" "$T/err" 2>/dev/null; then
      for p in $(pgrep -f -- "--epochs 1000000 --threads 1 --log-every 1 -o $T/stop.bin" || true); do
        env=$(tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null)
        echo "$env" | grep -qx OMPI_COMM_WORLD_RANK=0 && r0=$p
        echo "$env" | grep -qx OMPI_COMM_WORLD_RANK=1 && r1=$p
      done
    fi
    [ -n "$r0" ] && [ -n "$r1" ] && break
    sleep 0.1
  done
  check "shared memory $shm: found both ranks" test -n "$r0" -a -n "$r1"
  if [ -n "$r0" ] && [ -n "$r1" ]; then
    kill -STOP "$r1"
    sleep 0.5 # past the first spin and yield: rank 0 is now waiting as it will for as long
    a=$(ticks "$r0"); sleep 3; b=$(ticks "$r0")
    hz=$(getconf CLK_TCK)
    # a spin-wait takes all 3 s of CPU (a yielding one, most of it); the back-off, about 1 %
    check "shared memory $shm: rank 0 used $((b - a)) of $((3 * hz)) ticks while rank 1 was stopped" \
      test $((b - a)) -lt $((3 * hz / 4))
    kill -CONT "$r1"
    n0=$(grep -c '^epoch' "$T/err")
    for _ in $(seq 100); do [ "$(grep -c '^epoch' "$T/err")" -gt "$n0" ] && break; sleep 0.1; done
    check "shared memory $shm: training went on after SIGCONT" test "$(grep -c '^epoch' "$T/err")" -gt "$n0"
    kill -TERM "$r0" "$r1" 2>/dev/null
  fi
  wait "$run"
done
# ---- nnt tune: each rank takes whole trials; rank 0 prints the table one process prints ----
G="--hidden 8,16 --lr 1e-3:1e-2:log3 --epochs 3"
expect 0 "$NNT" tune $G "$D"
cp "$T/out" "$T/tune1"
expect 0 mpi 2 "$NNT" tune $G --log "$T/tune.log" "$D"
check "2 ranks print one process's table" cmp -s "$T/tune1" "$T/out"
has "$T/err" "6 trials (grid), each scored by 3-fold cross-validation; dealt to 2 ranks"
check "one report, from rank 0" test "$(grep -c 'dealt to 2 ranks' "$T/err")" = 1
lines "$T/tune.log" 6
head -n 3 "$T/tune.log" >"$T/tune.cut"
expect 0 mpi 2 "$NNT" tune $G --log "$T/tune.cut" --resume "$D"
check "2 ranks resumed: the same table" cmp -s "$T/tune1" "$T/out"
has "$T/err" "3 finished in $T/tune.cut, 3 to run; dealt to 2 ranks"

done_tests
