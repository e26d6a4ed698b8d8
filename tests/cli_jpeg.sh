# cli_jpeg.sh — JPEG input end to end: a folder of PNGs and JPEGs trains on every file, a JPEG
# named .png loads, predict and eval read JPEGs; the scan's note on the files it ignored (not
# with -q, absent when it ignored none), every empty class named in one error, and --skip-bad
# that empties a class refused. The JPEGs come from make_jpeg (tests/jpeg_gen.h, libjpeg).
. "$(dirname "$0")/lib.sh"
MJ=${NNT_MAKE_JPEG:-}
[ -x "$MJ" ] || { echo "cli_jpeg.sh: make_jpeg not built; skipped"; exit 77; }
D="$NNT_SOURCE_DIR/data"
FAST="--epochs 3 --hidden 4"

# ---- a mixed folder: 10 PNGs and 6 JPEGs per class, one JPEG named .png ----
M=$T/mixed
for c in a b; do mkdir -p "$M/train/$c" "$M/test/$c"; done
find "$D/train/sneaker" -name '*.png' | sort | head -10 | xargs cp -t "$M/train/a"
find "$D/train/ankle-boot" -name '*.png' | sort | head -10 | xargs cp -t "$M/train/b"
find "$D/test/sneaker" -name '*.png' | sort | head -3 | xargs cp -t "$M/test/a"
find "$D/test/ankle-boot" -name '*.png' | sort | head -3 | xargs cp -t "$M/test/b"
for q in 50 60 70 80 90; do
  "$MJ" gray 28 28 "$M/train/a/gen-$q.jpg" $q
  "$MJ" gray-progressive-arithmetic 28 28 "$M/train/b/gen-$q.JPEG" $q
done
"$MJ" ycc 28 28 "$M/train/a/really-a-jpeg.png" 95
"$MJ" restart 28 28 "$M/train/b/restart.jpeg" 95
"$MJ" subsampled 28 28 "$M/test/a/test.jpg" 95
expect 0 "$NNT" train $FAST --json -o "$T/m.bin" "$M"
has "$T/out" '"train_images":32'
has "$T/out" '"test_images":7'
has "$T/err" "32 training and 7 test images of 28x28x3"
check "no note when nothing is ignored" sh -c "! grep -q 'note:' '$T/err'"

# ---- predict and eval read JPEGs, by content ----
expect 0 "$NNT" predict "$T/m.bin" "$M/train/a/gen-50.jpg" "$M/train/a/really-a-jpeg.png"
lines "$T/out" 2
"$MJ" cmyk 40 30 "$T/cmyk.jpg"
expect 0 "$NNT" predict "$T/m.bin" "$T/cmyk.jpg"; has "$T/out" "$T/cmyk.jpg"
printf 'GIF89a\001\000\001\000' >"$T/x.gif"
expect 1 "$NNT" predict "$T/m.bin" "$T/x.gif"; has "$T/err" "$T/x.gif: not a PNG or JPEG image (a GIF file"
head -c 300 "$M/train/a/gen-90.jpg" >"$T/cut.jpg"
expect 1 "$NNT" predict "$T/m.bin" "$T/cut.jpg"; has "$T/err" "$T/cut.jpg: file is truncated"
expect 0 "$NNT" eval "$T/m.bin" "$M"

# ---- the files the scan ignores: one note line per run, not with -q ----
echo notes >"$M/train/a/README.txt"
cp "$T/x.gif" "$M/train/a/x.gif"
cp "$T/x.gif" "$M/test/b/y.webp"
expect 0 "$NNT" train $FAST -o "$T/m.bin" "$M"
has "$T/err" "nnt: note: ignored 3 files (nnt reads .png, .jpg and .jpeg): train/a: 1 not an image, 1 of unsupported format .gif; test/b: 1 of unsupported format .webp"
lines "$T/out" 0
expect 0 "$NNT" train -q $FAST -o "$T/m.bin" "$M"
lines "$T/err" 0

# ---- every class without images named in one error ----
E=$T/empty
mkdir -p "$E/a" "$E/b" "$E/c"
find "$D/train/sneaker" -name "*.png" | sort | head -3 | xargs cp -t "$E/a"
cp "$T/x.gif" "$E/b/1.gif"; echo x >"$E/b/notes.txt"
echo x >"$E/c/labels.csv"
expect 1 "$NNT" train -q $FAST -o "$T/e.bin" "$E"
has "$T/err" "$E: 2 class folders have no .png, .jpg or .jpeg images: b (ignored 1 not an image, 1 of unsupported format .gif), c (ignored 1 not an image)"

# ---- --skip-bad that leaves a class without images is an error, as an empty class is ----
S=$T/skip
mkdir -p "$S/a" "$S/b" "$S/c"
for c in a b c; do find "$D/train/sneaker" -name '*.png' | sort | head -6 | xargs cp -t "$S/$c"; done
for f in "$S/b/"*.png; do head -c 200 "$f" >"$f.cut" && mv "$f.cut" "$f"; done
expect 1 "$NNT" train -q --skip-bad $FAST -o "$T/s.bin" "$S"
has "$T/err" "$S: --skip-bad left a class without images: training: b (all 6 failed to decode)"
check "no model" test ! -e "$T/s.bin"
cp "$S/a/$(ls "$S/a" | head -1)" "$S/b/good.png" # one image of b decodes: the run goes on
expect 0 "$NNT" train --skip-bad $FAST -o "$T/s.bin" "$S"
has "$T/err" "skipped 6 unreadable images"
done_tests
