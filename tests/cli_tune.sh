# cli_tune.sh — nnt tune on the small generated pair of classes: a grid and a seeded random
# search, the ranking, the best command (which nnt cv scores the same), --refit's model, the
# log and --resume (after SIGINT it runs only the unfinished trials and prints the same table),
# the same table with 1 and 2 workers, JSON, usage errors.
. "$(dirname "$0")/lib.sh"
D="$NNT_SOURCE_DIR/data"
G="--hidden 8,16 --lr 1e-3:1e-2:log3 --epochs 3"

# ---- grid: 2 x 3 trials, ranked, the best command
expect 0 "$NNT" tune $G --workers 1 "$D"
cp "$T/out" "$T/grid1"
lines "$T/grid1" 8
has "$T/grid1" "rank  trial  hidden  lr       accuracy (sd)      loss  epochs"
has "$T/err" "6 trials (grid), each scored by 3-fold cross-validation"
check "every trial once" test "$(awk 'NR > 1 && NR < 8 { print $2 }' "$T/grid1" | sort -n | tr '\n' ' ')" = "1 2 3 4 5 6 "
check "the grid's values" test "$(awk 'NR > 1 && NR < 8 { print $3 "/" $4 }' "$T/grid1" | sort | tr '\n' ' ')" = \
  "16/0.001 16/0.00316 16/0.01 8/0.001 8/0.00316 8/0.01 "
# ranked: accuracies never increase down the table
check "ranked by accuracy" awk 'NR > 1 && NR < 8 { if (NR > 2 && $5 > prev) exit 1; prev = $5 }' "$T/grid1"
best=$(sed -n 's/^best: //p' "$T/grid1")
check "best is rank 1's command ($best)" test -n "$best"
r1=$(awk 'NR == 2 { print "--hidden " $3 " --lr " $4 }' "$T/grid1")
check "the best command has rank 1's values" test "$best" = "nnt train $r1 --epochs 3 $D"
acc1=$(awk 'NR == 2 { print $5 }' "$T/grid1")
# the score is nnt cv's of the same options (same folds, same numbers)
expect 0 "$NNT" cv -k 3 $r1 --epochs 3 "$D"
check "cv of the best gives its score $acc1" grep -q "^mean accuracy $acc1 " "$T/out"

# ---- the same table with 2 workers, and twice
expect 0 "$NNT" tune $G --workers 2 "$D"
check "1 and 2 workers print the same table" cmp -s "$T/grid1" "$T/out"

# ---- JSON agrees with the table
expect 0 "$NNT" tune $G --json "$D"
lines "$T/out" 1
has "$T/out" '{"search":"grid","score":"cv3","trials":[{"rank":1,'
check "JSON's best is the table's" grep -qF "\"best\":\"$best\"}" "$T/out"

# ---- random search: seeded, within the ranges, --val-split scoring
R="--hidden 4:32 --dropout 0,0.3 --lr 1e-3:1e-2:log --trials 4 --epochs 3 --val-split 0.2"
expect 0 "$NNT" tune $R "$D"
cp "$T/out" "$T/rand1"
lines "$T/rand1" 6
has "$T/err" "4 trials (random), each scored by the 120 validation images"
check "hidden drawn in 4..32, dropout from its list" awk 'NR > 1 && NR < 6 {
  if ($3 < 4 || $3 > 32 || ($4 != "0" && $4 != "0.3") || $5 < 0.001 || $5 > 0.01) exit 1 }' "$T/rand1"
has "$T/rand1" "--epochs 3 --val-split 0.2 $D"
expect 0 "$NNT" tune $R "$D"
check "the same seed draws the same trials" cmp -s "$T/rand1" "$T/out"
expect 0 "$NNT" tune $R --seed 5 "$D"
check "another seed, other trials" not_same "$T/rand1" "$T/out"

# ---- --refit writes the best model, the one its command trains
expect 0 "$NNT" tune --hidden 8,16 --epochs 2 --refit -o "$T/best.bin" "$D"
has "$T/err" "refit: nnt train"
check "refit wrote a model" test -s "$T/best.bin"
cmdline=$(sed -n 's/^best: nnt train //p' "$T/out")
expect 0 "$NNT" train $cmdline -o "$T/again.bin"
check "the refit model is the best command's model" cmp -s "$T/best.bin" "$T/again.bin"

# ---- the log, and --resume of a cut log: only the missing trials run, the same table
expect 0 "$NNT" tune $G --log "$T/log" "$D"
check "the table with a log is the same" cmp -s "$T/grid1" "$T/out"
lines "$T/log" 6
head -n 2 "$T/log" >"$T/cut"
printf '{"trial":3,"status":"ok","accura' >>"$T/cut" # a line cut short by a kill
expect 0 "$NNT" tune $G --log "$T/cut" --resume "$D"
has "$T/err" "; 2 finished in $T/cut, 4 to run"
check "resumed: the same table" cmp -s "$T/grid1" "$T/out"
lines "$T/cut" 6
expect 0 "$NNT" tune $G --log "$T/cut" --resume "$D"
has "$T/err" "; 6 finished in $T/cut, 0 to run"
check "all from the log: the same table" cmp -s "$T/grid1" "$T/out"

# ---- SIGINT, then --resume: one worker, many trials, killed once the first is logged
S="--hidden 8,12,16,20 --lr 1e-3:1e-2:log4 --epochs 30"
"$NNT" tune $S --workers 1 --log "$T/slog" "$D" >"$T/sout" 2>"$T/serr" &
pid=$!
for _ in $(seq 1 600); do # waits for the first trial (bounded; not a timing assertion)
  [ -s "$T/slog" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
kill -INT "$pid" 2>/dev/null
wait "$pid"
code=$?
n_before=$(wc -l <"$T/slog")
if [ "$code" = 130 ]; then
  ok
  has "$T/serr" "nnt: interrupted by SIGINT: $n_before of 16 trials finished (in $T/slog; --resume runs the rest)"
  check "no table after SIGINT" test ! -s "$T/sout"
else
  check "exit 130 after SIGINT, or 0 when it finished first (got $code)" test "$code" = 0
fi
check "every logged line is whole JSON" awk '!/^\{.*\}$/ { exit 1 }' "$T/slog"
expect 0 "$NNT" tune $S --workers 2 --log "$T/slog" --resume "$D"
has "$T/err" "; $n_before finished in $T/slog, $((16 - n_before)) to run"
lines "$T/slog" 16
cp "$T/out" "$T/resumed"
expect 0 "$NNT" tune $S --workers 2 "$D"
check "resumed after SIGINT: the uninterrupted table" cmp -s "$T/resumed" "$T/out"

# ---- --plot: a PNG of the chart's size, for one option, two (heat map) and random draws
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8 }'; }
expect 0 "$NNT" tune $G --plot "$T/heat.png" "$D"
check "the plot's table is the same" cmp -s "$T/grid1" "$T/out"
check "heat map is a 900x620 PNG" test "$(png_size "$T/heat.png")" = 900x620
expect 0 "$NNT" tune --hidden 8,16 --epochs 3 --plot "$T/line.png" "$D"
check "line chart is a 900x620 PNG" test "$(png_size "$T/line.png")" = 900x620
check "line chart and heat map differ" not_same "$T/heat.png" "$T/line.png"
expect 0 "$NNT" tune --hidden 4:32 --lr 1e-3:1e-2:log --trials 6 --epochs 3 --plot "$T/rand.png" "$D"
check "random search's chart is a 900x620 PNG" test "$(png_size "$T/rand.png")" = 900x620
expect 2 "$NNT" tune --hidden 8,16 --lr 0.1,0.2 --dropout 0,0.1 --plot "$T/p.png" "$D"
has "$T/err" "--plot draws one or two searched options"
expect 1 "$NNT" tune --hidden 8,16 --plot "$T/no/such/dir/p.png" "$D"
has "$T/err" "the chart (--plot)"

# ---- usage errors (exit 2) and runtime errors (exit 1)
expect 2 "$NNT" tune --epochs 3 "$D"
has "$T/err" "nothing to search"
expect 2 "$NNT" tune --lr 1e-3:1e-2 "$D"
has "$T/err" "a grid needs a count"
expect 2 "$NNT" tune --lr 0:1e-2:log3 "$D"
has "$T/err" "a log range needs LO > 0"
expect 2 "$NNT" tune --hidden 8,x "$D"
has "$T/err" "--hidden takes a whole number"
expect 2 "$NNT" tune --hidden 8,16 --resume "$D"
has "$T/err" "--resume reads the log"
expect 2 "$NNT" tune --hidden 8,16 -k 3 --val-split 0.2 "$D"
expect 2 "$NNT" tune --hidden 8,16 --trials 0 "$D"
expect 2 "$NNT" tune --hidden 8,16
has "$T/err" "missing the dataset folder"
expect 1 "$NNT" tune --hidden 8,16 "$T/nothing-here"
expect 1 "$NNT" tune --hidden 8,16 --log "$T/no/such/dir/log" "$D"
has "$T/err" "the log (--log)"
done_tests
