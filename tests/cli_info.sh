# cli_info.sh — nnt info: a freshly trained model and the committed version-1 fixture described
# value by value, in text and JSON; the modification time in UTC; damaged models refused (exit 1).
. "$(dirname "$0")/lib.sh"
D="$NNT_SOURCE_DIR/data"
FIX="$NNT_SOURCE_DIR/tests/data/model-v1.bin"

# ---- a freshly trained model: what train was told shows up ----
expect 0 "$NNT" train -q --epochs 3 --lr 0.05 --hidden 5 --act tanh --seed 7 --size 14x10 \
  -o "$T/m.bin" "$D"
expect 0 "$NNT" info "$T/m.bin"
has "$T/out" "file        $T/m.bin ("
has "$T/out" "format      version 1"
has "$T/out" "classes     2: ankle-boot, sneaker"
has "$T/out" "input       14x10x1 (gray), n_x 140"   # width x height: 14 wide, 10 high
has "$T/out" "hidden      5 units, tanh"
has "$T/out" "output      1 sigmoid unit: P(sneaker)"
has "$T/out" "parameters  711 float32, 2844 bytes"  # 5*140 + 5 + 1*5 + 1
has "$T/out" "  hidden=5"                          # META lines, as train wrote them
has "$T/out" "  act=tanh"
has "$T/out" "  seed=7"
check "modified time in UTC ISO-8601" \
  grep -qE '^modified    [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z ' "$T/out"
expect 0 "$NNT" info --json "$T/m.bin"
lines "$T/out" 1
for key in "\"file\":\"$T/m.bin\"" '"version":1,' '"classes":["ankle-boot","sneaker"]' \
           '"n_classes":2,' '"width":14,"height":10,"channels":1,"n_x":140,' '"hidden":5,' \
           '"activation":"tanh"' '"output":"sigmoid","n_y":1,' '"parameters":711,' \
           '"parameter_bytes":2844' '"hidden":"5"' '"act":"tanh"' '"seed":"7"' '"meta_text":"'; do
  has "$T/out" "$key"
done

# three classes: a softmax output
mkdir -p "$T/three/x" "$T/three/y" "$T/three/z"
i=0
for f in $(find "$D/train" -name '*.png' | sort | head -n 30); do
  cp "$f" "$T/three/$(echo x y z | cut -d' ' -f$((i % 3 + 1)))/$i.png"; i=$((i + 1))
done
expect 0 "$NNT" train -q --epochs 2 --hidden 3 --act leaky-relu -o "$T/three.bin" "$T/three"
expect 0 "$NNT" info "$T/three.bin"
has "$T/out" "classes     3: x, y, z"
has "$T/out" "input       28x28x1 (gray), n_x 784"
has "$T/out" "hidden      3 units, leaky-relu"
has "$T/out" "output      3 softmax units, one per class"
expect 0 "$NNT" info --json "$T/three.bin"
has "$T/out" '"output":"softmax","n_y":3,'

# ---- the committed fixture (tests/make_model_fixture.c): every value ----
cp "$FIX" "$T/v1.bin"
touch -d '2001-02-03 04:05:06 UTC' "$T/v1.bin"
expect 0 env TZ=Asia/Tokyo "$NNT" info "$T/v1.bin"   # the time zone must not show
cat >"$T/want" <<EOF
file        $T/v1.bin (260 bytes)
modified    2001-02-03T04:05:06Z (the file's modification time; the model records no time itself)
format      version 1 (this nnt reads 1 to 1)
classes     2: cat, non-cat
input       3x2x1 (gray), n_x 6
hidden      3 units, relu
output      1 sigmoid unit: P(non-cat), predicted when above 0.5
parameters  25 float32, 100 bytes (W1 3x6, b1 3, W2 1x3, b2 1)
training    (META, as recorded)
  nnt_version=0.1.0
EOF
# the reader's newest version may grow; everything else is pinned
sed -i 's/(this nnt reads 1 to [0-9]*)/(this nnt reads 1 to 1)/' "$T/out"
check "fixture described exactly" cmp -s "$T/want" "$T/out"
cmp -s "$T/want" "$T/out" || diff "$T/want" "$T/out" | head -20 >&2
expect 0 env TZ=America/New_York "$NNT" info --json "$T/v1.bin"
printf '%s\n' "{\"file\":\"$T/v1.bin\",\"bytes\":260,\"modified\":\"2001-02-03T04:05:06Z\",\"version\":1,\"classes\":[\"cat\",\"non-cat\"],\"n_classes\":2,\"width\":3,\"height\":2,\"channels\":1,\"n_x\":6,\"hidden\":3,\"activation\":\"relu\",\"output\":\"sigmoid\",\"n_y\":1,\"parameters\":25,\"parameter_bytes\":100,\"meta\":{\"nnt_version\":\"0.1.0\"},\"meta_text\":\"nnt_version=0.1.0\\n\"}" >"$T/want.json"
check "fixture JSON exact" cmp -s "$T/want.json" "$T/out"
cmp -s "$T/want.json" "$T/out" || diff "$T/want.json" "$T/out" >&2

# ---- damaged, truncated, missing, not a file: exit 1 naming it, nothing on stdout ----
cp "$FIX" "$T/flip.bin"
printf '\377' | dd of="$T/flip.bin" bs=1 seek=120 conv=notrunc 2>/dev/null
expect 1 "$NNT" info "$T/flip.bin";   has "$T/err" "$T/flip.bin: checksum mismatch"
check "nothing on stdout" test ! -s "$T/out"
head -c 100 "$FIX" >"$T/cut.bin"
expect 1 "$NNT" info --json "$T/cut.bin"; has "$T/err" "$T/cut.bin: truncated"
check "nothing on stdout" test ! -s "$T/out"
expect 1 "$NNT" info "$T/nope.bin";   has "$T/err" "$T/nope.bin: cannot open"
expect 1 "$NNT" info "$T";            has "$T/err" "$T: not a regular file"
printf 'PK\003\004' >"$T/zip.bin"
expect 1 "$NNT" info "$T/zip.bin";    has "$T/err" "$T/zip.bin: bad magic"
if [ -w /dev/full ]; then
  expect 1 sh -c '"$1" info "$2" >/dev/full' sh "$NNT" "$FIX"
  has "$T/err" "writing to standard output failed"
fi
done_tests
