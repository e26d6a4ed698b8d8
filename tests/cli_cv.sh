# cli_cv.sh — nnt cv: K folds that cover the training split (sizes add up), the same numbers
# twice and with 1 or 2 workers, JSON that agrees with the text, and usage errors (exit 2).
. "$(dirname "$0")/lib.sh"
D="$NNT_SOURCE_DIR/data"

expect 0 "$NNT" cv -k 3 --epochs 3 --workers 1 "$D"
cp "$T/out" "$T/w1"
lines "$T/w1" 5
has "$T/w1" "fold  train  held  epochs  accuracy    loss"
has "$T/w1" "mean accuracy "
# 600 training images in 3 folds of 200: each trains on the other 400
check "three folds of 200 held out of 600" test "$(grep -cE '^ +[123] +400 +200 +3 ' "$T/w1")" = 3
expect 0 "$NNT" cv -k 3 --epochs 3 --workers 2 "$D"
check "1 and 2 workers print the same numbers" cmp -s "$T/w1" "$T/out"
expect 0 "$NNT" cv -k 3 --epochs 3 --workers 1 "$D"
check "the same numbers twice" cmp -s "$T/w1" "$T/out"
expect 0 "$NNT" cv -k 3 --epochs 3 --seed 2 "$D"
check "another seed, other folds" not_same "$T/w1" "$T/out"
# the held-out accuracy is real: more than chance on this easy pair of classes
acc=$(awk '/^mean accuracy/ { print $3 }' "$T/w1")
check "mean accuracy $acc above 0.8" awk -v a="$acc" 'BEGIN { exit !(a > 0.8) }'

expect 0 "$NNT" cv -k 3 --epochs 3 --json "$D"
lines "$T/out" 1
has "$T/out" '"k":3,"folds":[{"fold":1,"train":400,"held":200,"epochs":3,"accuracy":'
check "JSON mean is the text's" grep -q "\"accuracy_mean\":$acc" "$T/out"

expect 2 "$NNT" cv -k 1 "$D"
has "$T/err" "-k takes a whole number of folds from 2 to 256"
expect 2 "$NNT" cv --val-split 0.1 "$D"
has "$T/err" "cv holds out each fold"
expect 2 "$NNT" cv --workers 0 "$D"
expect 2 "$NNT" cv -k 3
has "$T/err" "missing the dataset folder"
expect 1 "$NNT" cv -k 3 "$T/nothing-here"
done_tests
