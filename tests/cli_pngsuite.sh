# cli_pngsuite.sh — every valid PngSuite image is read by train (in a dataset) and by predict;
# every corrupt x*.png is refused with exit 1 and its name. Skips when the suite is absent.
. "$(dirname "$0")/lib.sh"
S="${NNT_SHARED_DATA:-}/pngsuite"
if [ ! -f "$S/basn0g01.png" ]; then echo "skipped: PngSuite not found at $S"; exit 77; fi

mkdir -p "$T/suite/even" "$T/suite/odd"
i=0
for f in "$S"/[!x]*.png; do
  if [ $((i % 2)) = 0 ]; then cp "$f" "$T/suite/even/"; else cp "$f" "$T/suite/odd/"; fi
  i=$((i + 1))
done
expect 0 "$NNT" train --size 16x16 --epochs 5 --json -o "$T/suite.bin" "$T/suite"
has "$T/out" "\"train_images\":$i,"
ls "$S"/[!x]*.png >"$T/valid"
expect 0 xargs -d '\n' "$NNT" predict "$T/suite.bin" <"$T/valid"
lines "$T/out" "$i"
check "no NaN in predictions" test -z "$(grep -i nan "$T/out")"

n_bad=0
for f in "$S"/x*.png; do
  expect 1 "$NNT" predict "$T/suite.bin" "$f"
  has "$T/err" "$f: "
  lines "$T/err" 1
  n_bad=$((n_bad + 1))
done
check "corrupt files found ($n_bad)" test "$n_bad" -ge 14
cp "$S/xcsn0g01.png" "$T/suite/odd/"
expect 1 "$NNT" train --size 16x16 --epochs 5 -o "$T/suite2.bin" "$T/suite"
has "$T/err" "$T/suite/odd/xcsn0g01.png"
expect 0 "$NNT" train --size 16x16 --epochs 5 --skip-bad -o "$T/suite2.bin" "$T/suite"
has "$T/err" "skipped 1 unreadable image"
done_tests
