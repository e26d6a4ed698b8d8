# cli_export.sh — `nnt export` and `nnt show` without Python: usage and runtime errors (exit 2 and
# 1, messages naming the file, nothing left behind), deterministic output, the files' signatures,
# the mosaic's size for the v1 fixture. numpy and onnx read the exports in cli_export_npz.sh and
# cli_export_onnx.sh; test_export, test_npz and test_mosaic check the content byte by byte.
. "$(dirname "$0")/lib.sh"
FIX="$NNT_SOURCE_DIR/tests/data/model-v1.bin"
magic() { head -c "$2" "$1" | od -An -tx1 | tr -d ' \n'; }
no_temp() { check "no temporary file left in $1" test "$(ls -A "$1" | grep -c tmp)" = 0; }

# ---- usage errors
expect 0 "$NNT" export --help;               has "$T/out" "--format"
expect 2 "$NNT" export "$FIX" "$T/o";         has "$T/err" "missing --format"
expect 2 "$NNT" export -f zip "$FIX" "$T/o";  has "$T/err" "--format takes npz or onnx, not 'zip'"
expect 2 "$NNT" export -f npz "$FIX";         has "$T/err" "missing the output file"
expect 2 "$NNT" export -f npz;                has "$T/err" "missing the model file"
expect 2 "$NNT" export -f npz "$FIX" a b;     has "$T/err" "unexpected argument 'b'"
expect 0 "$NNT" show --help;                 has "$T/out" "--scale N"
expect 2 "$NNT" show "$FIX";                  has "$T/err" "missing -o OUT.png"
expect 2 "$NNT" show --scale 0 -o "$T/s.png" "$FIX"; has "$T/err" "--scale takes a whole number"
expect 2 "$NNT" show -o "$T/s.png";           has "$T/err" "missing the model file"

# ---- runtime errors name the file; a failed write leaves nothing behind
for f in npz onnx; do
  expect 1 "$NNT" export -f $f "$T/nope.bin" "$T/o.$f";    has "$T/err" "$T/nope.bin"
  check "no output for a missing model" test ! -e "$T/o.$f"
  expect 1 "$NNT" export -f $f "$FIX" "$T/no/dir/o.$f";    has "$T/err" "$T/no/dir/o.$f"
done
printf 'hello' >"$T/text.bin"
expect 1 "$NNT" export -f npz "$T/text.bin" "$T/o.npz";     has "$T/err" "$T/text.bin"
expect 1 "$NNT" show -o "$T/s.png" "$T/text.bin";           has "$T/err" "$T/text.bin"
expect 1 "$NNT" show -o "$T/no/dir/s.png" "$FIX";           has "$T/err" "$T/no/dir/s.png"
if [ -w /dev/full ]; then
  expect 1 "$NNT" show -o /dev/full "$FIX";                 has "$T/err" "/dev/full"
fi
# an existing export is replaced whole, not appended to or truncated
printf 'old' >"$T/keep.npz"
expect 0 "$NNT" export -f npz "$FIX" "$T/keep.npz"
check "replaced" test "$(magic "$T/keep.npz" 4)" = 504b0304
no_temp "$T"

# ---- the outputs: signatures, and the same model gives the same bytes
expect 0 "$NNT" export -f npz "$FIX" "$T/a.npz"
expect 0 "$NNT" export --format=npz "$FIX" "$T/b.npz"
check "npz is a zip" test "$(magic "$T/a.npz" 4)" = 504b0304
check "npz deterministic" cmp -s "$T/a.npz" "$T/b.npz"
expect 0 "$NNT" export -f onnx "$FIX" "$T/a.onnx"
expect 0 "$NNT" export -f onnx "$FIX" "$T/b.onnx"
check "onnx starts with ir_version 7" test "$(magic "$T/a.onnx" 2)" = 0807
check "onnx deterministic" cmp -s "$T/a.onnx" "$T/b.onnx"
if command -v unzip >/dev/null; then
  check "unzip -t accepts the npz" sh -c 'unzip -tq "$1" >/dev/null' _ "$T/a.npz"
fi

# ---- show: the fixture's 3 units of 3x2 weights make a 2x2 grid; 2 px gaps; --scale 4 by default
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ print $3 * 256 + $4 "x" $7 * 256 + $8 }'; }
expect 0 "$NNT" show -o "$T/s.png" "$FIX"
check "show writes a PNG" test "$(magic "$T/s.png" 8)" = 89504e470d0a1a0a
check "4 px per weight: 2*12+3*2 x 2*8+3*2 = 30x22 (got $(png_size "$T/s.png"))" test "$(png_size "$T/s.png")" = 30x22
expect 0 "$NNT" show --scale 10 --output "$T/s10.png" "$FIX"
check "--scale 10: 66x46 (got $(png_size "$T/s10.png"))" test "$(png_size "$T/s10.png")" = 66x46
check "quiet on success" test ! -s "$T/err"
# nnt reads its own mosaic back, e.g. as an image to classify
expect 0 "$NNT" predict "$FIX" "$T/s.png"
no_temp "$T"
done_tests
