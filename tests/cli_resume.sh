# cli_resume.sh — checkpoints and resume (#18): runs killed (SIGKILL) and interrupted (SIGINT) at
# random points, mid-epoch and between epochs, then resumed, write models byte-identical to the
# uninterrupted runs' (Adam with a cosine rate, scaling, validation, early stopping, dropout and
# augmentation on mini-batches; momentum with warm-up and a step schedule on full batches; SGD
# with L2 and weight decay); --epochs extends a run; damaged checkpoints and ones of another
# dataset or network are refused naming the file and the reason; nnt info reads checkpoints;
# --init-from starts from a model and refuses one of another shape or classes. The data is the
# shipped data/ (600 training images); each run takes about a second.
. "$(dirname "$0")/lib.sh"
D="$NNT_SOURCE_DIR/data"
RANDOM=18 # the same kill points every run of the test (where they land still varies)
BASE="--threads 1 -q --log-every 0 --checkpoint-every 1"
CONF_A="--epochs 30 --batch 8 --hidden 16 --val-split 0.2 --patience 4 --dropout 0.2 --augment shift=1,flip"
CONF_B="--epochs 40 --batch full --optimizer momentum --lr 0.05 --schedule step --lr-step 5 --warmup 2 --hidden 16"
CONF_C="--epochs 25 --batch 32 --optimizer sgd --lr 0.05 --l2 0.001 --weight-decay 0.0001 --hidden 16"

now_ms() { date +%s%3N; }

# the uninterrupted runs, and how long each took (to spread the kills over it)
for c in A B C; do
  eval "conf=\$CONF_$c"
  t0=$(now_ms)
  expect 0 "$NNT" train $BASE $conf --checkpoint "$T/ref$c.ckpt" -o "$T/ref$c.bin" "$D"
  eval "ms_$c=$(( $(now_ms) - t0 ))"
done
# checkpointing computes nothing else: the same model without it (primal for A and C anyway)
expect 0 "$NNT" train --threads 1 -q $CONF_A -o "$T/plainA.bin" "$D"
check "a checkpointed run writes the model a plain one does" cmp -s "$T/refA.bin" "$T/plainA.bin"

# interrupt SIG CONF: a run killed with SIG at a random point after its first checkpoint, then
# resumed (and killed again, by chance) until it completes; its model must be the reference's
landed=0; again=0; mid=0
interrupt() {
  local sig=$1 c=$2 conf ms i rc
  eval "conf=\$CONF_$c; ms=\$ms_$c"
  rm -f "$T/run.ckpt" "$T/run.bin"
  "$NNT" train $BASE $conf --checkpoint "$T/run.ckpt" -o "$T/run.bin" "$D" 2>"$T/ierr" &
  local pid=$!
  i=0
  while [ $i -lt 4000 ] && [ ! -s "$T/run.ckpt" ] && kill -0 $pid 2>/dev/null; do sleep 0.002; i=$((i + 1)); done
  sleep "$(awk -v r=$((RANDOM % 1000)) -v ms="$ms" 'BEGIN { printf "%.3f", r / 1000 * 0.7 * ms / 1000 }')"
  kill -"$sig" $pid 2>/dev/null
  { wait $pid; } 2>/dev/null; rc=$?
  if [ $rc = 0 ]; then ok; cmp -s "$T/ref$c.bin" "$T/run.bin" && ok || fail "$sig/$c: completed run differs"; return; fi
  landed=$((landed + 1))
  if [ "$sig" = INT ]; then
    [ $rc = 130 ] && ok || fail "$sig/$c: exit $rc, wanted 130"
    has "$T/ierr" "go on with: nnt train --resume $T/run.ckpt"
    grep -q 'step [1-9]' "$T/ierr" && mid=$((mid + 1))
  else
    [ $rc = 137 ] && ok || fail "$sig/$c: exit $rc, wanted 137"
  fi
  # resumed; one resume in three is interrupted again
  for ((i = 0; i < 10; i++)); do
    if (( RANDOM % 3 == 0 )); then
      "$NNT" train --resume "$T/run.ckpt" 2>"$T/ierr" &
      pid=$!
      sleep "$(awk -v r=$((RANDOM % 1000)) -v ms="$ms" 'BEGIN { printf "%.3f", r / 2000 * ms / 1000 }')"
      kill -"$sig" $pid 2>/dev/null
      { wait $pid; } 2>/dev/null; rc=$?
      [ $rc = 0 ] && break
      again=$((again + 1))
    else
      "$NNT" train --resume "$T/run.ckpt" 2>"$T/ierr"; rc=$?
      break
    fi
  done
  [ $rc = 0 ] && ok || { fail "$sig/$c: resume exit $rc"; sed 's/^/  /' "$T/ierr" >&2; }
  cmp -s "$T/ref$c.bin" "$T/run.bin" && ok || fail "$sig/$c: the resumed run's model differs from the uninterrupted one's"
}
for sig in KILL INT; do
  landed=0; again=0; mid=0
  for k in $(seq 1 20); do
    interrupt $sig "$(echo A B C | cut -d' ' -f$(( k % 3 + 1 )))"
  done
  [ $sig = INT ] && where=" ($mid checkpointed inside an epoch)" || where=" (each resumed from its last epoch's checkpoint)"
  echo "cli_resume.sh: SIG$sig: $landed of 20 runs stopped before their end$where, $again resumed runs stopped again; each model compared (cmp) with the uninterrupted run's"
done

# ---- --epochs extends a run: 25 epochs, then on to 35, equals 35 at once (constant rate)
EXT="--epochs 25 --batch 32 --optimizer sgd --lr 0.05 --hidden 16"
expect 0 "$NNT" train $BASE $EXT --checkpoint "$T/ext.ckpt" -o "$T/ext.bin" "$D"
expect 0 "$NNT" train --resume "$T/ext.ckpt" --epochs 35
expect 0 "$NNT" train $BASE ${EXT/--epochs 25/--epochs 35} -o "$T/ext35.bin" "$D"
check "25 epochs resumed to 35 equal 35" cmp -s "$T/ext.bin" "$T/ext35.bin"

# ---- nnt info reads a checkpoint
expect 0 "$NNT" info "$T/refA.ckpt"
has "$T/out" "a training checkpoint (format version 1)"
has "$T/out" "goes on with epoch"
has "$T/out" "data_train="
has "$T/out" "optimizer=adam"
expect 0 "$NNT" info --json "$T/refA.ckpt"
has "$T/out" '"kind":"checkpoint"'
has "$T/out" '"best_epoch":'
expect 1 "$NNT" predict "$T/refA.ckpt" "$(find "$D/test" -name '*.png' | head -n 1)"
has "$T/err" "a training checkpoint"

# ---- damaged checkpoints: refused, exit 1, naming the file
C1="$T/refB.ckpt"
size=$(stat -c %s "$C1")
for at in 0 9 20 100 $((size / 2)) $((size - 5)) $((size - 1)); do
  cp "$C1" "$T/bad.ckpt"
  printf '\x5a' | dd of="$T/bad.ckpt" bs=1 seek=$at conv=notrunc 2>/dev/null
  cmp -s "$C1" "$T/bad.ckpt" || { expect 1 "$NNT" train --resume "$T/bad.ckpt"; has "$T/err" "$T/bad.ckpt: "; }
done
for n in 0 5 12 30 $((size / 2)) $((size - 1)); do
  head -c $n "$C1" >"$T/bad.ckpt"
  expect 1 "$NNT" train --resume "$T/bad.ckpt"
  has "$T/err" "$T/bad.ckpt: "
done
expect 1 "$NNT" info "$T/bad.ckpt"
has "$T/err" "$T/bad.ckpt: "
expect 1 "$NNT" train --resume "$T/none.ckpt"
has "$T/err" "$T/none.ckpt"

# ---- a checkpoint of another dataset or network: refused with what differs
mkdir -p "$T/d2" && cp -r "$D/train" "$D/test" "$T/d2/"
rm "$(find "$T/d2/train" -name '*.png' | sort | head -n 1)"
expect 1 "$NNT" train --resume "$C1" "$T/d2"
has "$T/err" "train_images was 600, now 599"
cp -r "$D/train" "$D/test" "$T/d3/" 2>/dev/null || { mkdir -p "$T/d3" && cp -r "$D/train" "$D/test" "$T/d3/"; }
f=$(find "$T/d3/train" -name '*.png' | sort | head -n 1)
cp "$(find "$T/d3/train" -name '*.png' | sort | tail -n 1)" "$f" # same count, other pixels
expect 1 "$NNT" train --resume "$C1" "$T/d3"
has "$T/err" "data_train was"
expect 1 "$NNT" train --resume "$C1" --hidden 17
has "$T/err" "hidden was 16, now 17"
expect 1 "$NNT" train --resume "$C1" --lr 0.1
has "$T/err" "does not match this run: lr was"
expect 0 "$NNT" train --resume "$C1" --threads 2 -o "$T/t2.bin"
check "resume may change --threads" test -s "$T/t2.bin"
expect 2 "$NNT" train --checkpoint "$T/x.ckpt" --solver dual --batch full --optimizer sgd "$D"
has "$T/err" "primal"

# ---- --init-from: a model's weights to start from; another shape or classes refused
expect 0 "$NNT" train --threads 1 -q --epochs 3 --hidden 16 -o "$T/warm.bin" "$D"
expect 0 "$NNT" train --threads 1 -q --epochs 3 --hidden 16 --init-from "$T/refC.bin" -o "$T/warm.bin" "$D"
check "a warm start differs from a cold one" not_same "$T/warm.bin" "$T/refC.bin"
expect 1 "$NNT" train --threads 1 -q --epochs 3 --hidden 8 --init-from "$T/refC.bin" -o "$T/w.bin" "$D"
has "$T/err" "the model has 16 hidden units, this run 8"
mv "$T/d2/train/sneaker" "$T/d2/train/shoe"; mv "$T/d2/test/sneaker" "$T/d2/test/shoe"
expect 1 "$NNT" train --threads 1 -q --epochs 3 --hidden 16 --init-from "$T/refC.bin" -o "$T/w.bin" "$T/d2"
has "$T/err" "class 2 is 'sneaker', the data's 'shoe'"
expect 1 "$NNT" train --threads 1 -q --epochs 3 --hidden 16 --size 14x14 --init-from "$T/refC.bin" -o "$T/w.bin" "$D"
has "$T/err" "the model takes 28x28 images"
done_tests
