# cli_robust.sh — nnt under hostile input and hostile conditions: damaged images and models,
# --skip-bad, the pixel cap, divergence, signals and a full disk; each gives exit 1 (or
# 130/143) with a message naming the file, and never costs the user the previous model.
. "$(dirname "$0")/lib.sh"
D="$NNT_SOURCE_DIR/data"
FAST="--epochs 3"

expect 0 "$NNT" train -q $FAST -o "$T/good.bin" "$D"
cp "$T/good.bin" "$T/orig.bin"
img=$(find "$D/test/sneaker" -name '*.png' | sort | head -n 1)

# ---- a network too big for the memory left: refused at once, saying what it needs ----
# (under ulimit -v; a sanitizer build reserves terabytes of address space and cannot start so)
if ( ulimit -v 3000000; exec "$NNT" --version ) >/dev/null 2>&1; then
  ( ulimit -v 3000000; exec "$NNT" train -q --hidden 1000000 -o "$T/big.bin" "$D" ) >"$T/out" 2>"$T/err"
  check "a network too big for ulimit -v exits 1 (got $?)" test $? = 1
  has "$T/err" "this run needs at least 12.2 GiB (parameters 2.9 GiB"
  has "$T/err" "under the address-space limit, ulimit -v"
  check "no model from the refused run" test ! -e "$T/big.bin"
  ( ulimit -v 3000000; exec "$NNT" cv -k 2 --epochs 1 --hidden 1000000 "$D" ) >"$T/out" 2>"$T/err"
  check "cv of a network too big exits 1 (got $?)" test $? = 1
  has "$T/err" "needs at least"
  expect 0 sh -c "ulimit -v 3000000; exec \"$NNT\" train -q $FAST -o \"$T/small.bin\" \"$D\""
else
  echo "skip: ulimit -v stops this binary from starting (a sanitizer build)"
fi

# ---- damaged images, in predict and in a dataset ----
: >"$T/empty.png"
printf 'just some text\n' >"$T/text.png"
head -c 100 "$img" >"$T/trunc.png"
expect 1 "$NNT" predict "$T/good.bin" "$T/empty.png";  has "$T/err" "$T/empty.png"
expect 1 "$NNT" predict "$T/good.bin" "$T/text.png";   has "$T/err" "$T/text.png: not a PNG or JPEG image"
expect 1 "$NNT" predict "$T/good.bin" "$T/trunc.png";  has "$T/err" "$T/trunc.png"
expect 1 "$NNT" predict --max-pixels 100 "$T/good.bin" "$img"; has "$T/err" "over the limit of 100 pixels"
mkdir -p "$T/ds"
cp -r "$D/train" "$D/test" "$T/ds/"
cp "$T/trunc.png" "$T/ds/train/sneaker/zz-trunc.png"
cp "$T/text.png" "$T/ds/test/ankle-boot/zz-text.png"
expect 1 "$NNT" train $FAST -o "$T/ds.bin" "$T/ds"
has "$T/err" "$T/ds/train/sneaker/zz-trunc.png"
check "no model after a bad dataset" test ! -e "$T/ds.bin"
expect 0 "$NNT" train $FAST --skip-bad --json -o "$T/ds.bin" "$T/ds"
has "$T/err" "warning: $T/ds/train/sneaker/zz-trunc.png"
has "$T/err" "warning: $T/ds/test/ankle-boot/zz-text.png"
has "$T/err" "skipped 2 unreadable images"
has "$T/out" '"skipped":2'
has "$T/out" '"train_images":600'

# ---- mixed sizes: an error naming both, or resized with --size ----
mkdir -p "$T/mixed/a" "$T/mixed/b"
cp "$img" "$T/mixed/a/1.png"
cp "$img" "$T/mixed/b/1.png"
if [ -n "${NNT_SHARED_DATA:-}" ] && [ -f "$NNT_SHARED_DATA/catvnoncat/test/cat/test-000.png" ]; then
  cp "$NNT_SHARED_DATA/catvnoncat/test/cat/test-000.png" "$T/mixed/b/2.png"
  expect 1 "$NNT" train $FAST -o "$T/mixed.bin" "$T/mixed"; has "$T/err" "is 64x64 but"
  expect 0 "$NNT" train -q $FAST --size 28x28 -o "$T/mixed.bin" "$T/mixed"
fi

# ---- damaged model files ----
size=$(stat -c %s "$T/good.bin")
cp "$T/good.bin" "$T/flip.bin"
printf '\x55' | dd of="$T/flip.bin" bs=1 seek=$((size / 2)) conv=notrunc status=none
expect 1 "$NNT" predict "$T/flip.bin" "$img";  has "$T/err" "$T/flip.bin: checksum mismatch"
head -c $((size - 9)) "$T/good.bin" >"$T/short.bin"
expect 1 "$NNT" predict "$T/short.bin" "$img"; has "$T/err" "$T/short.bin"
cat "$T/good.bin" >"$T/long.bin"; printf 'x' >>"$T/long.bin"
expect 1 "$NNT" predict "$T/long.bin" "$img";  has "$T/err" "trailing bytes"
expect 1 "$NNT" predict "$D" "$img";           has "$T/err" "$D"
# the committed version-1 model still predicts
expect 0 "$NNT" predict "$NNT_SOURCE_DIR/tests/data/model-v1.bin" "$img"

# ---- divergence: exit 1, advice, no model ----
expect 1 "$NNT" train --optimizer sgd --lr 1e30 --epochs 20 -o "$T/good.bin" "$D"
has "$T/err" "diverged"
has "$T/err" "lower learning rate (--lr)"
check "diverged run left the old model" cmp -s "$T/good.bin" "$T/orig.bin"
# a loss that explodes but stays finite (it exited 0 with a one-class model before)
expect 1 "$NNT" train --optimizer sgd --lr 1e6 --batch full --epochs 20 -o "$T/good.bin" "$D"
has "$T/err" "over 100 times the first epoch's"
check "a finite divergence left the old model" cmp -s "$T/good.bin" "$T/orig.bin"

# ---- a full disk (the file size limit makes the write fail): old model kept, no temp file ----
( trap '' XFSZ; ulimit -f 1; exec "$NNT" train -q $FAST --hidden 64 -o "$T/good.bin" "$D" ) >"$T/out" 2>"$T/err"
check "full disk exits 1" test $? = 1
has "$T/err" "$T/good.bin"
check "full disk left the old model" cmp -s "$T/good.bin" "$T/orig.bin"
check "no temporary files after a full disk" test -z "$(ls "$T" | grep tmp)"

# ---- signals: stop at a step boundary, exit 128+signal, old model untouched ----
for sig in TERM INT; do
  # a fresh log: the wait below must see this run's first epoch (handlers are installed by
  # then), not the last run's, which a background job's own redirection truncates too late
  rm -f "$T/err"
  "$NNT" train --epochs 100000000 --log-every 1 -o "$T/good.bin" "$D" >"$T/out" 2>"$T/err" &
  pid=$!
  for _ in $(seq 300); do grep -qs '^epoch' "$T/err" && break; sleep 0.1; done
  kill -s $sig $pid
  wait $pid
  code=$?
  want=$([ $sig = TERM ] && echo 143 || echo 130)
  check "SIG$sig exits $want (got $code)" test "$code" = "$want"
  has "$T/err" "interrupted by SIG$sig"
  check "SIG$sig left the old model" cmp -s "$T/good.bin" "$T/orig.bin"
done
check "no temporary files after signals" test -z "$(ls "$T" | grep tmp)"
done_tests
