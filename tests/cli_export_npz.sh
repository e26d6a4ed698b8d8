# cli_export_npz.sh — numpy loads every `nnt export --format npz` (np.load without pickle), runs
# the forward pass the man page gives, and gets nnt predict's labels and probabilities (within
# 1e-5) for every activation, softmax and RGB models. Skipped (77) without python3-numpy.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/export_models.sh"
for m in $MODELS; do
  expect 0 "$NNT" export --format npz "$T/$m.bin" "$T/$m.npz"
  expect 0 "$PY" "$NNT_SOURCE_DIR/tests/export_check.py" npz "$T/$m.npz" "$T/$m.jsonl"
  sed "s/^/  $m: /" "$T/out"
done
# what a numpy user sees, named as the man page names it
expect 0 "$PY" -c '
import sys, numpy as np
z = np.load(sys.argv[1])
assert sorted(z.files) == sorted(["W1", "b1", "W2", "b2", "classes", "activation", "output",
    "height", "width", "channels", "input_divisor", "leaky_slope", "meta"]), z.files
assert z["W1"].shape == (6, 784) and z["b1"].shape == (6, 1), (z["W1"].shape, z["b1"].shape)
assert z["W2"].shape == (1, 6) and z["b2"].shape == (1, 1)
assert z["W1"].flags.c_contiguous and z["W1"].dtype == np.float32
assert list(z["classes"]) == ["ankle-boot", "sneaker"], z["classes"]
assert str(z["activation"]) == "relu" and str(z["output"]) == "sigmoid"
assert (int(z["height"]), int(z["width"]), int(z["channels"])) == (28, 28, 1)
assert float(z["input_divisor"]) == 255 and "act=relu" in str(z["meta"])
print("npz keys, shapes and values as documented")
' "$T/relu.npz"
has "$T/out" "as documented"
done_tests
