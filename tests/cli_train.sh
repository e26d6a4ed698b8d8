# cli_train.sh — train and predict end to end on the shipped data/: outputs, JSON, agreement of
# predict with train's test accuracy, byte-identical seeded runs, input scaling folded into the
# model (eval agrees with train), and runtime errors (exit 1).
. "$(dirname "$0")/lib.sh"
D="$NNT_SOURCE_DIR/data"
FAST="--epochs 6 --log-every 3"

# ---- a run, its progress and its summary ----
expect 0 "$NNT" train --hidden 4 --act relu $FAST --json -o "$T/m.bin" "$D"
check "model written" test -s "$T/m.bin"
has "$T/err" "epoch 3/6"
has "$T/err" "test accuracy"
has "$T/err" "wrote $T/m.bin"
lines "$T/out" 7   # one object per epoch, then the summary
tail -n 1 "$T/out" >"$T/summary"
for key in '"train_accuracy":' '"test_accuracy":0.' '"final_cost":' '"epochs":6' \
           '"load_seconds":' '"train_seconds":' "\"model\":\"$T/m.bin\""; do
  has "$T/summary" "$key"
done
cp "$T/summary" "$T/summary.json"
test_acc=$(sed 's/.*"test_accuracy":\([0-9.]*\).*/\1/' "$T/summary.json")

# ---- predict agrees with the test accuracy train reported ----
find "$D/test" -name '*.png' | sort >"$T/list"
n=$(wc -l <"$T/list")
expect 0 xargs -d '\n' "$NNT" predict "$T/m.bin" <"$T/list"
lines "$T/out" "$n"
# path<TAB>label<TAB>probability; right when the label is the class folder of the path
right=$(awk -F'\t' '{ n = split($1, p, "/"); if (p[n-1] == $2) r++ } END { print r + 0 }' "$T/out")
check "predict accuracy $right/$n equals train's test accuracy $test_acc" \
  awk -v r="$right" -v n="$n" -v a="$test_acc" 'BEGIN { d = r / n - a; exit !(d < 1e-9 && d > -1e-9) }'
check "probabilities in [0.5, 1]" awk -F'\t' '{ if ($3 < 0.5 || $3 > 1 || $3 == "nan") exit 1 }' "$T/out"
first=$(head -n 1 "$T/list")
expect 0 "$NNT" predict --json "$T/m.bin" "$first"
has "$T/out" "{\"file\":\"$first\",\"label\":\""
has "$T/out" "\"probability\":"

# ---- same command, same data: byte-identical model; another seed differs ----
expect 0 "$NNT" train -q $FAST -o "$T/m2.bin" "$D"
expect 0 "$NNT" train -q $FAST -o "$T/m3.bin" "$D"
check "seeded runs identical" cmp -s "$T/m2.bin" "$T/m3.bin"
expect 0 "$NNT" train -q $FAST --seed 2 -o "$T/m4.bin" "$D"
check "another seed differs" not_same "$T/m2.bin" "$T/m4.bin"

# ---- every activation, optimiser and initialisation trains; --quiet is quiet ----
for act in sigmoid tanh relu leaky-relu; do
  expect 0 "$NNT" train -q --act "$act" --epochs 3 -o "$T/a.bin" "$D"
done
for opt in sgd momentum adam; do
  expect 0 "$NNT" train -q --optimizer "$opt" --epochs 3 -o "$T/a.bin" "$D"
done
for init in auto he xavier normal; do
  expect 0 "$NNT" train -q --init "$init" --epochs 3 -o "$T/a.bin" "$D"
done
expect 0 "$NNT" train -q --batch 32 --epochs 3 --lr 0.01 --l2 0.001 -o "$T/b.bin" "$D"
check "quiet" test ! -s "$T/err"

# ---- the tutorial's algorithm is kept exactly: full batch, plain descent, N(0,1)*0.01 ----
expect 0 "$NNT" train --json -q --batch full --optimizer sgd --init normal --lr 0.0075 \
  --epochs 2500 --hidden 4 --act relu -o "$T/tut.bin" "$D"
has "$T/out" '"final_cost":0.11763'
has "$T/out" '"test_accuracy":0.96,'

# ---- validation split, early stopping, the chart ----
expect 0 "$NNT" train --json --val-split 0.25 --patience 2 --epochs 40 --lr 0.01 \
  --plot "$T/curves.png" -o "$T/v.bin" "$D"
has "$T/out" '"val_images":150'
has "$T/out" '"train_images":450'
has "$T/err" "val acc"
check "chart is a PNG" test "$(head -c 8 "$T/curves.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a
has "$T/err" "wrote $T/v.bin and $T/curves.png"

# without --epochs, --patience bounds a generous automatic maximum (200 here) and ends the run
expect 0 "$NNT" train --json --val-split 0.25 --patience 2 --lr 0.01 -o "$T/p.bin" "$D"
has "$T/out" '"stopped_early":true'
check "--patience without --epochs stops before the bound of 200 epochs" \
  awk -F'"epochs":' 'END { split($2, v, ","); exit !(v[1] + 0 < 200) }' "$T/out"
has "$T/err" "/200  loss"

# ---- input scaling: folded into the model, which eval then scores as train reported ----
# json_key FILE KEY: the number after "KEY": in FILE's last line (the summary)
json_key() { tail -n 1 "$1" | sed -n "s/.*\"$2\":\([-0-9.eE+]*\).*/\1/p"; }
same_acc() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; exit !(a != "" && d < 1e-9 && d > -1e-9) }'; }
for run in "standardize --val-split 0.25" "center" "standardize --batch full --optimizer sgd --solver dual --lr 0.05 --epochs 40"; do
  expect 0 "$NNT" train -q --json --epochs 6 --scale $run -o "$T/s.bin" "$D"
  cp "$T/out" "$T/s.json"
  acc=$(json_key "$T/s.json" test_accuracy)
  expect 0 "$NNT" eval --json "$T/s.bin" "$D"
  check "--scale $run: eval's accuracy $(json_key "$T/out" accuracy) is train's $acc" \
    same_acc "$(json_key "$T/out" accuracy)" "$acc"
  check "--scale $run: trains (test accuracy $acc)" awk -v a="$acc" 'BEGIN { exit !(a >= 0.9) }'
  expect 0 "$NNT" info "$T/s.bin"
  has "$T/out" "scale=${run%% *}"
done
has "$T/s.json" '"solver":"dual"'   # the dual solver takes scaled inputs as they come
expect 0 "$NNT" train -q --epochs 3 --scale standardize -o "$T/s1.bin" "$D"
expect 0 "$NNT" train -q --epochs 3 --scale standardize -o "$T/s2.bin" "$D"
check "scaled seeded runs identical" cmp -s "$T/s1.bin" "$T/s2.bin"
# the defaults' recipe (defaults.h): centred inputs and a cosine rate with Adam; the textbook
# algorithm (raw pixels, a constant rate) when sgd or momentum is named
expect 0 "$NNT" train -q --epochs 3 --scale center --schedule cosine -o "$T/s0.bin" "$D"
expect 0 "$NNT" train -q --epochs 3 -o "$T/s00.bin" "$D"
check "--scale center --schedule cosine are Adam's defaults, byte for byte" cmp -s "$T/s0.bin" "$T/s00.bin"
expect 0 "$NNT" train -q --epochs 3 --optimizer sgd --scale none --schedule constant -o "$T/s0.bin" "$D"
expect 0 "$NNT" train -q --epochs 3 --optimizer sgd -o "$T/s00.bin" "$D"
check "--scale none --schedule constant are sgd's defaults, byte for byte" cmp -s "$T/s0.bin" "$T/s00.bin"
expect 0 "$NNT" train -q --epochs 3 --schedule constant -o "$T/s5.bin" "$D"
expect 0 "$NNT" train -q --epochs 3 -o "$T/s6.bin" "$D"
check "a named --schedule overrides the recipe" not_same "$T/s5.bin" "$T/s6.bin"
check "scaling changes the model" not_same "$T/s0.bin" "$T/s1.bin"
expect 0 "$NNT" info "$T/s0.bin"
check "no scale key without scaling" bash -c '! grep -q "scale=" "$1"' _ "$T/out"

# ---- learning-rate schedules, warm-up, weight decay: usage errors, META, seeded runs ----
expect 2 "$NNT" train --schedule linear "$D";   has "$T/err" "--schedule takes constant, step or cosine, not 'linear'"
expect 2 "$NNT" train --lr-factor 0 "$D";       has "$T/err" "--lr-factor takes a number above 0 up to 1"
expect 2 "$NNT" train --lr-factor 1.5 "$D";     has "$T/err" "--lr-factor"
expect 2 "$NNT" train --lr-step 0 "$D";         has "$T/err" "--lr-step takes a whole number"
expect 2 "$NNT" train --lr-min -1 "$D";         has "$T/err" "--lr-min takes a number >= 0"
expect 2 "$NNT" train --warmup -1 "$D";         has "$T/err" "--warmup takes a whole number"
expect 2 "$NNT" train --weight-decay -0.1 "$D"; has "$T/err" "--weight-decay takes a number >= 0"
expect 2 "$NNT" train --schedule cosine --lr-min 0.01 "$D"   # above Adam's default 0.001
has "$T/err" "--lr-min 0.01 is above --lr 0.001"
has "$T/err" "Try 'nnt train --help'"
SCHED="--schedule cosine --lr-min 0.0001 --warmup 1 --weight-decay 0.01"
expect 0 "$NNT" train -q $FAST $SCHED -o "$T/s1.bin" "$D"
expect 0 "$NNT" train -q $FAST $SCHED -o "$T/s2.bin" "$D"
check "scheduled runs identical" cmp -s "$T/s1.bin" "$T/s2.bin"
check "the schedule and decay move the model" not_same "$T/s1.bin" "$T/m2.bin"
expect 0 "$NNT" info "$T/s1.bin"
for key in schedule=cosine lr_min=0.0001 warmup=1 weight_decay=0.01; do has "$T/out" "$key"; done
expect 0 "$NNT" train -q $FAST --schedule step --lr-step 2 --lr-factor 0.5 -o "$T/s3.bin" "$D"
expect 0 "$NNT" info "$T/s3.bin"
for key in schedule=step lr_factor=0.5 lr_step=2; do has "$T/out" "$key"; done
check "step's META has no warm-up or decay" sh -c "! grep -q 'warmup\|weight_decay\|lr_min' '$T/out'"
expect 0 "$NNT" info "$T/m2.bin"   # a default run records the recipe's schedule and scaling
has "$T/out" "schedule=cosine"
has "$T/out" "scale=center"
check "default META has no warm-up or decay" sh -c "! grep -q 'warmup\|weight_decay' '$T/out'"
expect 0 "$NNT" train -q $FAST --optimizer sgd -o "$T/s4.bin" "$D"
expect 0 "$NNT" info "$T/s4.bin"   # the textbook algorithm records none of them
check "sgd's default META has no schedule or scale keys" sh -c "! grep -q 'schedule\|warmup\|weight_decay\|lr_\|scale=' '$T/out'"
# the dual solver computes schedules and weight decay exactly, so it still takes them
expect 0 "$NNT" train --json -q --batch full --optimizer sgd --init normal --lr 0.0075 --epochs 20 \
  --solver dual --schedule step --lr-step 5 --warmup 2 --weight-decay 0.1 -o "$T/sd.bin" "$D"
has "$T/out" '"solver":"dual"'

# ---- fewer hidden units than classes: a warning naming the default ----
for c in a b c; do mkdir -p "$T/tri/train/$c"; done
for f in "$D"/train/sneaker/*.png; do cp "$f" "$T/tri/train/a/"; done
for f in "$D"/train/ankle-boot/*.png; do cp "$f" "$T/tri/train/b/"; done
for f in "$D"/test/sneaker/*.png; do cp "$f" "$T/tri/train/c/"; done
expect 0 "$NNT" train --epochs 1 --hidden 2 -o "$T/w.bin" "$T/tri"
has "$T/err" "nnt: warning: --hidden 2 is fewer units than the 3 classes, a bottleneck that costs accuracy; the default is 128"
expect 0 "$NNT" train --epochs 1 --hidden 3 -o "$T/w.bin" "$T/tri"
check "no bottleneck warning with as many units as classes" sh -c "! grep -q bottleneck '$T/err'"

# ---- a learning rate far outside the optimiser's usual range: one warning line, unless -q ----
expect 0 "$NNT" train --epochs 1 --lr 0.05 -o "$T/w.bin" "$D"
has "$T/err" "nnt: warning: --lr 0.05 is outside Adam's usual range (1e-05 to 0.01 for 784 inputs); steps this large"
expect 0 "$NNT" train --epochs 1 --optimizer momentum --lr 0.00001 -o "$T/w.bin" "$D"
has "$T/err" "nnt: warning: --lr 1e-05 is outside momentum's usual range (0.0001 to 1); steps this small"
expect 0 "$NNT" train --epochs 1 --lr 0.01 -o "$T/w.bin" "$D"   # the top of Adam's range
check "no warning inside the range" sh -c "! grep -q warning '$T/err'"
expect 0 "$NNT" train -q --epochs 1 --lr 0.05 -o "$T/w.bin" "$D"
check "no warning with -q" test ! -s "$T/err"

# ---- flat layout and more than two classes (softmax) ----
mkdir -p "$T/three/x" "$T/three/y" "$T/three/z"
i=0
for f in $(find "$D/train" -name '*.png' | sort | head -n 30); do
  cp "$f" "$T/three/$(echo x y z | cut -d' ' -f$((i % 3 + 1)))/$i.png"; i=$((i + 1))
done
expect 0 "$NNT" train --epochs 5 --json -o "$T/three.bin" "$T/three"
has "$T/out" '"classes":["x","y","z"]'
has "$T/out" '"test_accuracy":null'
expect 0 "$NNT" predict "$T/three.bin" "$T/three/x/0.png"

# ---- --augment: trains, seeded, recorded in META, never touches evaluation ----
AUG="-q --json --epochs 3 --batch 32 --hidden 8"
expect 0 "$NNT" train $AUG --augment shift=1,flip,rotate=10,zoom=0.1,shear=0.1,elastic=8:3 \
  -o "$T/aug.bin" "$D"
tail -n 1 "$T/out" >"$T/aug.json"
expect 0 "$NNT" train $AUG --augment shift=1,flip,rotate=10,zoom=0.1,shear=0.1,elastic=8:3 \
  -o "$T/aug2.bin" "$D"
check "augmented runs identical" cmp -s "$T/aug.bin" "$T/aug2.bin"
expect 0 "$NNT" train $AUG -o "$T/plain.bin" "$D"
check "augmentation changes the model" not_same "$T/aug.bin" "$T/plain.bin"
expect 0 "$NNT" train $AUG --augment none -o "$T/none.bin" "$D"
check "--augment none is no augmentation, byte for byte" cmp -s "$T/plain.bin" "$T/none.bin"
expect 0 "$NNT" info "$T/aug.bin"
has "$T/out" "augment=shift=1,flip,rotate=10,zoom=0.1,shear=0.1,elastic=8:3"
expect 0 "$NNT" info "$T/plain.bin"
check "no augment line without --augment" test "$(grep -c augment "$T/out")" = 0
# the summary's accuracies are of the images as they are: eval's on the same folders
num() { sed -n "s/.*\"$2\":\([-0-9.eE+]*\).*/\1/p" "$1" | head -n 1; }
for set in train test; do
  expect 0 "$NNT" eval --json "$T/aug.bin" "$D/$set"
  check "eval on $set equals train's ${set}_accuracy" awk -v a="$(num "$T/out" accuracy)" \
    -v b="$(num "$T/aug.json" ${set}_accuracy)" 'BEGIN { d = a - b; exit !(a != "" && d < 1e-9 && d > -1e-9) }'
done
# the full batch is gathered anew each epoch; the dual solver refuses (test_solver: auto then
# picks primal where it would pick dual)
FULL="-q --json --epochs 3 --batch full --optimizer sgd --lr 0.05"
expect 0 "$NNT" train $FULL --augment shift=1 -o "$T/fa.bin" "$D";   has "$T/out" '"solver":"primal"'
expect 0 "$NNT" train $FULL --augment shift=1 -o "$T/fa2.bin" "$D"
check "augmented full batch identical" cmp -s "$T/fa.bin" "$T/fa2.bin"
expect 0 "$NNT" train $FULL --solver primal -o "$T/fp.bin" "$D"
check "augmented full batch differs from plain" not_same "$T/fa.bin" "$T/fp.bin"
expect 2 "$NNT" train $FULL --solver dual --augment flip -o "$T/fd.bin" "$D"
has "$T/err" "--solver dual cannot use --augment"
for bad in blur shift=-1 shift=1.5 rotate=181 elastic=34 flip=1 shift=1,shift=2 'shift=1,'; do
  expect 2 "$NNT" train --augment "$bad" "$D"
  has "$T/err" "nnt train: --augment"
done

# ---- runtime errors: exit 1, message naming the file ----
expect 1 "$NNT" train "$T/nope";                 has "$T/err" "$T/nope: No such file or directory"
expect 1 "$NNT" train -o "$T/no/dir/m.bin" "$D"; has "$T/err" "$T/no/dir/m.bin: cannot write the model (-o) there"
expect 1 "$NNT" predict "$T/nope.bin" "$first";  has "$T/err" "$T/nope.bin"
printf 'hello' >"$T/text.bin"
expect 1 "$NNT" predict "$T/text.bin" "$first";  has "$T/err" "$T/text.bin"
expect 1 "$NNT" predict "$T/m.bin" "$T/missing.png" "$first"
has "$T/err" "$T/missing.png"
lines "$T/out" 1   # the good image is still classified
printf 'not a png' >"$T/fake.png"
expect 1 "$NNT" predict "$T/m.bin" "$T/fake.png"; has "$T/err" "$T/fake.png"
# a damaged model is refused, and training over it keeps the old one when training fails
cp "$T/m.bin" "$T/keep.bin"
expect 1 "$NNT" train -o "$T/keep.bin" "$T/nope"
check "old model untouched" cmp -s "$T/m.bin" "$T/keep.bin"
check "no temporary files left" test "$(ls "$T" | grep -c tmp)" = 0
# ---- --dropout: seeded masks in training steps only, in META only when on ----
DR="--json -q --hidden 64 --epochs 3 --threads 2"
expect 0 "$NNT" train $DR -o "$T/d0.bin" "$D"
expect 0 "$NNT" train $DR --dropout 0 -o "$T/d00.bin" "$D"
check "--dropout 0 is no dropout, byte for byte" cmp -s "$T/d0.bin" "$T/d00.bin"
expect 0 "$NNT" train $DR --dropout 0.3 -o "$T/d1.bin" "$D"
tail -n 1 "$T/out" >"$T/d1.json"
has "$T/d1.json" '"solver":"primal"'
expect 0 "$NNT" train $DR --dropout 0.3 -o "$T/d2.bin" "$D"
check "dropout: seeded runs on 2 threads identical" cmp -s "$T/d1.bin" "$T/d2.bin"
check "dropout 0.3 changes the model" not_same "$T/d0.bin" "$T/d1.bin"
expect 0 "$NNT" info "$T/d1.bin"; has "$T/out" "dropout=0.3"
expect 0 "$NNT" info "$T/d0.bin"; check "no dropout in META without it" test "$(grep -c dropout "$T/out")" = 0
# evaluation uses the whole layer: predict's accuracy on data/test is train's test accuracy
d_acc=$(sed 's/.*"test_accuracy":\([0-9.]*\).*/\1/' "$T/d1.json")
expect 0 xargs -d '\n' "$NNT" predict "$T/d1.bin" <"$T/list"
right=$(awk -F'\t' '{ n = split($1, p, "/"); if (p[n-1] == $2) r++ } END { print r + 0 }' "$T/out")
check "dropout: predict accuracy $right/$n equals train's test accuracy $d_acc" \
  awk -v r="$right" -v n="$n" -v a="$d_acc" 'BEGIN { d = r / n - a; exit !(d < 1e-9 && d > -1e-9) }'
# auto leaves the full-batch sgd that is dual without dropout (200 epochs repay XᵀX) to primal
expect 0 "$NNT" train --batch full --optimizer sgd --init normal --lr 0.0075 --epochs 200 \
  --dropout 0.2 --json -q -o "$T/dp.bin" "$D"
has "$T/out" '"solver":"primal"'

# --threads beyond the CPUs the process may run on would only wait for each other: capped
# (64 units x 784 x 64 is enough work for 2 threads when 2 CPUs are there)
if command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null; then
  expect 0 taskset -c 0 "$NNT" train --json -q --hidden 64 --epochs 1 --threads 4 -o "$T/cap.bin" "$D"
  has "$T/out" '"threads":1,'
fi
done_tests
