# cli_solver.sh — --solver primal|dual|auto: usage errors (exit 2), which solver auto picks, and
# where the choice is reported (the log line after loading, the JSON summary, the model's META).
. "$(dirname "$0")/lib.sh"
D="$NNT_SOURCE_DIR/data"   # 600 training images of 784 values: fewer images than pixels
GD="--batch full --optimizer sgd --init normal --lr 0.0075"

# ---- usage errors ----
expect 2 "$NNT" train --solver foo "$D";                 has "$T/err" "--solver takes auto, primal or dual, not 'foo'"
expect 2 "$NNT" train --solver dual "$D";                has "$T/err" "--solver dual needs --optimizer sgd or momentum"
expect 2 "$NNT" train --solver dual --optimizer adam --batch full "$D"; has "$T/err" "Adam"
expect 2 "$NNT" train --solver dual --optimizer sgd --batch 32 "$D"
has "$T/err" "--batch full"
has "$T/err" "Try 'nnt train --help'"
expect 0 "$NNT" train --help; has "$T/out" "--solver NAME"

# ---- forced dual: reported in the log, the JSON summary and META ----
expect 0 "$NNT" train $GD --solver dual --epochs 20 --json -o "$T/d.bin" "$D"
has "$T/err" "nnt: solver dual"
has "$T/out" '"solver":"dual"'
expect 0 "$NNT" info "$T/d.bin"; has "$T/out" "solver=dual"
# a batch that covers the set is full batch; momentum and L2 stay in the span
expect 0 "$NNT" train --batch 600 --optimizer momentum --l2 0.01 --lr 0.001 --solver dual --epochs 5 --json -q -o "$T/m.bin" "$D"
has "$T/out" '"solver":"dual"'
# validation split and early stopping in the dual form
expect 0 "$NNT" train $GD --solver dual --epochs 30 --val-split 0.2 --patience 3 --json -q -o "$T/v.bin" "$D"
has "$T/out" '"solver":"dual"'
has "$T/out" '"val_accuracy":0.'

# ---- forced primal ----
expect 0 "$NNT" train $GD --solver primal --epochs 20 --json -o "$T/p.bin" "$D"
has "$T/err" "nnt: solver primal"
has "$T/out" '"solver":"primal"'
expect 0 "$NNT" info "$T/p.bin"; has "$T/out" "solver=primal"

# ---- auto: dual when exact and cheaper, primal otherwise ----
expect 0 "$NNT" train $GD --epochs 1000 --json -q -o "$T/a.bin" "$D"
has "$T/out" '"solver":"dual"'
expect 0 "$NNT" train $GD --epochs 3 --json -q -o "$T/a.bin" "$D"     # too few steps to repay XᵀX
has "$T/out" '"solver":"primal"'
expect 0 "$NNT" train --epochs 2 --json -q -o "$T/a.bin" "$D"         # the defaults: Adam, batches of 64
has "$T/out" '"solver":"primal"'
expect 0 "$NNT" train --optimizer sgd --epochs 2 --json -q -o "$T/a.bin" "$D"   # mini-batches
has "$T/out" '"solver":"primal"'
done_tests
