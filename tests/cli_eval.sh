# cli_eval.sh — nnt eval end to end: its accuracy on a test split equals the test accuracy nnt
# train reported (shipped data/, a 3-class copy, resized inputs), its counts add up, the wrong
# files come most confident first, folders with some of the model's classes, and runtime errors.
. "$(dirname "$0")/lib.sh"
D="$NNT_SOURCE_DIR/data"
FAST="--epochs 50 --lr 0.05"

# json_num FILE KEY: the number after "KEY": in FILE (one JSON object per line, first match).
json_num() { sed -n "s/.*\"$2\":\\([-0-9.eE+]*\\).*/\\1/p" "$1" | head -n 1; }
# same_num A B: A and B are the same number (both printed by %.10g from the same double).
same_num() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; exit !(a != "" && d < 1e-9 && d > -1e-9) }'; }

# ---- shipped data/: eval's accuracy on data/test is train's test accuracy ----
expect 0 "$NNT" train -q --json $FAST -o "$T/m.bin" "$D"
tail -n 1 "$T/out" >"$T/train.json"
train_test=$(json_num "$T/train.json" test_accuracy)
expect 0 "$NNT" eval --json "$T/m.bin" "$D"
cp "$T/out" "$T/eval.json"
lines "$T/eval.json" 1
acc=$(json_num "$T/eval.json" accuracy)
check "eval accuracy $acc equals train's test accuracy $train_test" same_num "$acc" "$train_test"
has "$T/eval.json" "\"folder\":\"$D/test\""
has "$T/eval.json" '"classes":["ankle-boot","sneaker"]'
has "$T/eval.json" '"images":200,'
for key in '"correct":' '"loss":' '"confusion":[[' '"per_class":[{"class":"ankle-boot","precision":' \
           '"macro_f1":' '"wrong_total":' '"wrong":['; do
  has "$T/eval.json" "$key"
done
# the confusion matrix adds up: 200 images, its diagonal is "correct", row sums are supports
conf=$(sed 's/.*"confusion":\[\[\([0-9,]*\)\],\[\([0-9,]*\)\]\].*/\1 \2/' "$T/eval.json")
correct=$(json_num "$T/eval.json" correct)
check "confusion $conf sums to 200 with diagonal $correct" \
  awk -v c="$conf" -v k="$correct" 'BEGIN { split(c, r, " "); split(r[1], a, ","); split(r[2], b, ",");
    exit !(a[1] + a[2] + b[1] + b[2] == 200 && a[1] + b[2] == k && a[1] + a[2] == 100) }'
has "$T/eval.json" '"support":100,'
wrong=$((200 - correct))
has "$T/eval.json" "\"wrong_total\":$wrong,"
check "at most 10 wrong files listed" \
  test "$(grep -o '"file":' "$T/eval.json" | wc -l)" = "$((wrong < 10 ? wrong : 10))"

# a test split shipped without its training images is evaluated the same
mkdir -p "$T/testonly"
cp -r "$D/test" "$T/testonly/"
expect 0 "$NNT" eval --json "$T/m.bin" "$T/testonly"
has "$T/out" "\"folder\":\"$T/testonly/test\""
check "test/ alone: same accuracy" same_num "$(json_num "$T/out" accuracy)" "$train_test"

# the text report: accuracy with counts, matrix with class headers, scores, wrong files
expect 0 "$NNT" eval --top 5 --threads 1 "$T/m.bin" "$D"
has "$T/out" "$T/m.bin on $D/test: 200 images, 2 classes"
has "$T/out" "($correct of 200 right)"
has "$T/out" "confusion matrix (rows: true class, columns: predicted class)"
check "matrix header names the classes" grep -qE '^ +ankle-boot  sneaker$' "$T/out"
has "$T/out" "class       precision  recall      F1  support"
has "$T/out" "macro avg"
if [ "$wrong" = 0 ]; then has "$T/out" "no wrong predictions"; else
  has "$T/out" "most confidently wrong ($((wrong < 5 ? wrong : 5)) of $wrong wrong)"; fi
# wrong files: probability descending, each a file of its true class, not the predicted one
sed -n '/^probability  true/,$p' "$T/out" | tail -n +2 >"$T/wrong"
lines "$T/wrong" "$((wrong < 5 ? wrong : 5))"
check "wrong files sorted by probability, highest first" \
  awk 'NR > 1 && $1 > prev { exit 1 } { prev = $1 }' "$T/wrong"
check "wrong files are in their true class's folder and mispredicted" \
  awk '{ n = split($4, p, "/"); if (p[n-1] != $2 || $2 == $3 || $1 < 0.5 || $1 > 1) exit 1 }' "$T/wrong"
# --top 0 lists none; --top larger than the wrong ones lists them all
expect 0 "$NNT" eval --top 0 "$T/m.bin" "$D"
check "--top 0 lists no files" test "$(grep -c 'most confidently wrong' "$T/out")" = 0
expect 0 "$NNT" eval --json --top 1000 "$T/m.bin" "$D"
check "--top 1000 lists all $wrong wrong files" test "$(grep -o '"file":' "$T/out" | wc -l)" = "$wrong"
# the same call twice prints the same bytes (the order of equal probabilities is by path)
expect 0 "$NNT" eval --top 1000 "$T/m.bin" "$D"; cp "$T/out" "$T/run1"
expect 0 "$NNT" eval --top 1000 --threads 2 "$T/m.bin" "$D"
check "eval output is reproducible" cmp -s "$T/out" "$T/run1"

# ---- a model trained at another size: eval resizes like train --size did ----
expect 0 "$NNT" train -q --json $FAST --size 14x14 -o "$T/small.bin" "$D"
small_test=$(tail -n 1 "$T/out" | sed -n 's/.*"test_accuracy":\([0-9.]*\).*/\1/p')
expect 0 "$NNT" eval --json "$T/small.bin" "$D"
check "resized: eval $(json_num "$T/out" accuracy) equals train's $small_test" \
  same_num "$(json_num "$T/out" accuracy)" "$small_test"

# ---- three classes (softmax), split into train/ and test/ as data/ is ----
mkdir -p "$T/three/train/x" "$T/three/train/y" "$T/three/train/z" \
         "$T/three/test/x" "$T/three/test/y" "$T/three/test/z"
i=0
for f in $(find "$D/train" -name '*.png' | sort | head -n 90); do
  cp "$f" "$T/three/train/$(echo x y z | cut -d' ' -f$((i % 3 + 1)))/$i.png"; i=$((i + 1))
done
for f in $(find "$D/test" -name '*.png' | sort | head -n 60); do
  cp "$f" "$T/three/test/$(echo x y z | cut -d' ' -f$((i % 3 + 1)))/$i.png"; i=$((i + 1))
done
expect 0 "$NNT" train -q --json $FAST -o "$T/three.bin" "$T/three"
tail -n 1 "$T/out" >"$T/three-train.json"
expect 0 "$NNT" eval --json "$T/three.bin" "$T/three"
cp "$T/out" "$T/three.json"
check "3 classes: eval $(json_num "$T/three.json" accuracy) equals train's test accuracy" \
  same_num "$(json_num "$T/three.json" accuracy)" "$(json_num "$T/three-train.json" test_accuracy)"
has "$T/three.json" '"classes":["x","y","z"]'
has "$T/three.json" '"images":60,'
row='\[[0-9]+,[0-9]+,[0-9]+\]'
check "3x3 confusion matrix" grep -qE "\"confusion\":\[$row,$row,$row\]," "$T/three.json"
# no test split: eval uses the training images, so it gives train's train accuracy
mkdir -p "$T/three-train"
cp -r "$T/three/train" "$T/three-train/"
expect 0 "$NNT" eval --json "$T/three.bin" "$T/three-train"
has "$T/out" "\"folder\":\"$T/three-train/train\""
check "train/ only: eval $(json_num "$T/out" accuracy) equals train's train accuracy" \
  same_num "$(json_num "$T/out" accuracy)" "$(json_num "$T/three-train.json" train_accuracy)"

# ---- a flat folder with two of the model's three classes: the third has a zero row ----
mkdir -p "$T/part"
cp -r "$T/three/test/x" "$T/three/test/z" "$T/part/"
expect 0 "$NNT" eval --json "$T/three.bin" "$T/part"
cp "$T/out" "$T/part.json"
has "$T/part.json" "\"folder\":\"$T/part\""
has "$T/part.json" '"images":40,'
check "class y: a row of zeros" grep -qE "\"confusion\":\[$row,\[0,0,0\],$row\]" "$T/part.json"
has "$T/part.json" '{"class":"y","precision":'
check "class y: recall 0, support 0" \
  grep -qE '"class":"y","precision":[0-9.]+,"recall":0,"f1":0,"support":0,' "$T/part.json"
expect 0 "$NNT" eval "$T/three.bin" "$T/part"
check "says why y scores 0" grep -qE '^note: y has no images here' "$T/out"
# classes are matched by name, whatever their position: labels are remapped to the model's
mkdir -p "$T/renamed"
cp -r "$T/three/test/y" "$T/three/test/z" "$T/renamed/"
expect 0 "$NNT" eval --json "$T/three.bin" "$T/renamed"
check "y and z keep their model labels" grep -qE '"confusion":\[\[0,0,0\],' "$T/out"

# ---- images of another size and colour type are converted like predict does ----
P="$NNT_SOURCE_DIR/tests/fuzz/corpus/png"
mkdir -p "$T/odd/ankle-boot" "$T/odd/sneaker"
cp "$P/basn2c08.png" "$P/basn0g16.png" "$T/odd/ankle-boot/"   # 32x32 RGB, 16-bit gray
cp "$P/basn3p08.png" "$P/basn6a08.png" "$T/odd/sneaker/"      # palette, RGBA
expect 0 "$NNT" eval --json "$T/m.bin" "$T/odd"
has "$T/out" '"images":4,'

# ---- runtime errors: exit 1 naming the file ----
mkdir -p "$T/extra"
cp -r "$T/three/test/x" "$T/extra/"
mkdir -p "$T/extra/coat"
cp "$T/three/test/x/"*.png "$T/extra/coat/"
expect 1 "$NNT" eval "$T/three.bin" "$T/extra"
has "$T/err" "$T/extra/coat: 'coat' is not a class of $T/three.bin (its 3 classes: x, y, z)"
check "nothing on stdout after an error" test ! -s "$T/out"
expect 1 "$NNT" eval "$T/nope.bin" "$D";      has "$T/err" "$T/nope.bin"
expect 1 "$NNT" eval "$T/m.bin" "$T/nope";    has "$T/err" "$T/nope"
printf 'hello' >"$T/text.bin"
expect 1 "$NNT" eval "$T/text.bin" "$D";      has "$T/err" "$T/text.bin: bad magic"
mkdir -p "$T/bad"
cp -r "$T/part/x" "$T/part/z" "$T/bad/"
printf 'not a png' >"$T/bad/z/zz-fake.png"
expect 1 "$NNT" eval "$T/three.bin" "$T/bad"; has "$T/err" "$T/bad/z/zz-fake.png"
# --skip-bad: the bad file named in a warning and counted, the rest evaluated; without it, exit 1
n_good=$(($(find "$T/bad" -name '*.png' | wc -l) - 1))
expect 0 "$NNT" eval --skip-bad "$T/three.bin" "$T/bad"
has "$T/err" "nnt: warning: $T/bad/z/zz-fake.png: not a PNG or JPEG image"
has "$T/err" "(skipped)"
has "$T/out" "skipped 1 undecodable image (--skip-bad)"
has "$T/out" "$T/bad: $n_good images, 3 classes"
expect 0 "$NNT" eval --skip-bad --json "$T/three.bin" "$T/bad"
has "$T/out" "\"skipped\":1,"
expect 0 "$NNT" eval --json "$T/three.bin" "$T/part"
check "no skipped key without --skip-bad" sh -c '! grep -q "\"skipped\"" "$1"' sh "$T/out"
# ... and a class every image of which was skipped is an error, as in nnt train
mkdir -p "$T/lost"
cp -r "$T/part/x" "$T/part/z" "$T/lost/"
for f in "$T/lost/z/"*.png; do head -c 100 "$f" >"$f.cut" && mv "$f.cut" "$f"; done
nz=$(ls "$T/lost/z" | wc -l)
expect 1 "$NNT" eval --skip-bad "$T/three.bin" "$T/lost"
has "$T/err" "$T/lost: --skip-bad left a class without images: z (all $nz failed to decode)"
check "nothing on stdout when a class was lost" test ! -s "$T/out"
mkdir -p "$T/one/x"
cp "$T/part/x/"*.png "$T/one/x/"
expect 1 "$NNT" eval "$T/three.bin" "$T/one"; has "$T/err" "only one class"
if [ -w /dev/full ]; then
  expect 1 sh -c '"$1" eval "$2" "$3" >/dev/full' sh "$NNT" "$T/m.bin" "$D"
  has "$T/err" "writing to standard output failed"
fi
done_tests
