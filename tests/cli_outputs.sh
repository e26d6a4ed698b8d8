# cli_outputs.sh — what nnt writes: every output checked before the work starts (folders,
# trailing slashes, missing or unwritable folders), written atomically, a file size limit
# reported naming the file, and the stale temporary files of a killed save removed by the next.
. "$(dirname "$0")/lib.sh"
D="$NNT_SOURCE_DIR/data"
FAST="--epochs 2 --hidden 8"

# a dataset whose first image does not decode: an output refused before decoding says so, not this
mkdir -p "$T/ds" "$T/folder"
cp -r "$D/train" "$D/test" "$T/ds/"
printf 'not an image\n' >"$T/ds/train/ankle-boot/0000-bad.png"

# ---- outputs checked before any image is decoded: exit 1, the path named ----
expect 1 "$NNT" train $FAST -o "$T/folder" "$T/ds";      has "$T/err" "$T/folder: is a folder"
expect 1 "$NNT" train $FAST -o "$T/m.bin/" "$T/ds";      has "$T/err" "$T/m.bin/: ends in '/'"
expect 1 "$NNT" train $FAST -o "$T/none/m.bin" "$T/ds";  has "$T/err" "$T/none/m.bin: cannot write the model (-o) there: folder $T/none"
expect 1 "$NNT" train $FAST -o "$T/m.bin" --plot "$T/folder" "$T/ds"; has "$T/err" "$T/folder: is a folder; the chart (--plot)"
expect 1 "$NNT" train $FAST -o "$T/m.bin" --plot "$T/none/c.png" "$T/ds"; has "$T/err" "$T/none/c.png"
expect 1 "$NNT" train $FAST -o "$T/m.bin" --plot "$T/m.bin" "$T/ds"; has "$T/err" "named by both -o and --plot"
# a folder the file system refuses files in, whoever runs the test (root passes access())
expect 1 "$NNT" train $FAST -o /proc/nnt-test.bin "$T/ds"; has "$T/err" "/proc/nnt-test.bin: cannot write"
check "no image was decoded before the refusals" test "$(grep -c 0000-bad "$T/err")" = 0
check "no model written by a refused run" test ! -e "$T/m.bin"

expect 0 "$NNT" train -q $FAST -o "$T/m.bin" "$D"
cp "$T/m.bin" "$T/orig.bin"
expect 1 "$NNT" export --format npz "$T/m.bin" "$T/folder"; has "$T/err" "$T/folder: is a folder; the export"
expect 1 "$NNT" export --format onnx "$T/m.bin" "$T/x.onnx/"; has "$T/err" "$T/x.onnx/: ends in '/'"
expect 1 "$NNT" export --format npz "$T/m.bin" "$T/none/x.npz"; has "$T/err" "$T/none/x.npz"
expect 1 "$NNT" show -o "$T/folder" "$T/m.bin";  has "$T/err" "$T/folder: is a folder; the mosaic (-o)"
expect 1 "$NNT" show -o "$T/none/w.png" "$T/m.bin"; has "$T/err" "$T/none/w.png"
check "the folder named as an output is untouched" test -z "$(ls -A "$T/folder")"

# ---- a file size limit (ulimit -f): exit 1 naming the file, old file kept, no temp left ----
# no trap here: nnt itself must turn SIGXFSZ into a write error (it killed nnt with 153 before)
expect 0 "$NNT" export --format npz "$T/m.bin" "$T/m.npz"
expect 0 "$NNT" show -o "$T/w.png" "$T/m.bin"
cp "$T/m.npz" "$T/orig.npz"; cp "$T/w.png" "$T/orig.png"
# the model is ~25 KB, the npz as much, the mosaic above 1 KB: a 1 KB limit stops every one
( ulimit -f 1; exec "$NNT" train -q $FAST --seed 2 -o "$T/m.bin" "$D" ) >"$T/out" 2>"$T/err"
check "train past ulimit -f exits 1 (got $?)" test $? = 1
has "$T/err" "$T/m.bin: cannot save (write failed): File too large"
check "train past ulimit -f kept the old model" cmp -s "$T/m.bin" "$T/orig.bin"
( ulimit -f 1; exec "$NNT" export --format npz "$T/m.bin" "$T/m.npz" ) >"$T/out" 2>"$T/err"
check "export past ulimit -f exits 1 (got $?)" test $? = 1
has "$T/err" "$T/m.npz: cannot save (write failed): File too large"
check "export past ulimit -f kept the old file" cmp -s "$T/m.npz" "$T/orig.npz"
( ulimit -f 1; exec "$NNT" show --scale 4 -o "$T/w.png" "$T/m.bin" ) >"$T/out" 2>"$T/err"
check "show past ulimit -f exits 1 (got $?)" test $? = 1
has "$T/err" "$T/w.png: cannot save (write failed): File too large"
check "show past ulimit -f kept the old file" cmp -s "$T/w.png" "$T/orig.png"
check "no temporary file left after ulimit -f" test -z "$(ls -A "$T" | grep nnt-tmp)"

# ---- stale temporary files: nnt's own (pid gone) removed by the next save, nothing else ----
# 999999999 is above any Linux pid_max (at most 2^22): no process has it
mine="$T/m.bin.nnt-tmp-999999999-AbC123"
keep=("$T/m.bin.tmp-AbC123" "$T/m.bin.nnt-tmp-999999999-AbC12" "$T/m.bin.nnt-tmp-999999999-AbC1234"
      "$T/m.bin.nnt-tmp-keep" "$T/xm.bin.nnt-tmp-999999999-AbC123" "$T/m.bin.nnt-tmp-$$-AbC123"
      "$T/m.npz.nnt-tmp-999999999-AbC123")
printf 'partial' >"$mine"
for f in "${keep[@]}"; do printf 'theirs' >"$f"; done
mkdir "$T/m.bin.nnt-tmp-999999998-AbC123"
ln -s "$T/orig.bin" "$T/m.bin.nnt-tmp-999999997-AbC123"
expect 0 "$NNT" train -q $FAST -o "$T/m.bin" "$D"
check "a stale temporary file of m.bin was removed" test ! -e "$mine"
for f in "${keep[@]}"; do check "kept $(basename "$f")" test -f "$f"; done
check "a folder of that name is kept" test -d "$T/m.bin.nnt-tmp-999999998-AbC123"
check "a symlink of that name is kept" test -L "$T/m.bin.nnt-tmp-999999997-AbC123"
# the same for the files of export and show
printf 'partial' >"$T/w.png.nnt-tmp-999999999-Zz9Zz9"
expect 0 "$NNT" show -o "$T/w.png" "$T/m.bin"
check "show removed its stale temporary file" test ! -e "$T/w.png.nnt-tmp-999999999-Zz9Zz9"
expect 0 "$NNT" export --format npz "$T/m.bin" "$T/m.npz"
check "export removed its stale temporary file" test ! -e "$T/m.npz.nnt-tmp-999999999-AbC123"
done_tests
