# cli_export_onnx.sh — every `nnt export --format onnx` passes onnx.checker (full check, with
# shape inference), and evaluating the graph (onnx.reference, onnxruntime, or a numpy interpreter
# of its nodes) gives nnt predict's labels and probabilities within 1e-5 for every activation,
# softmax and RGB models. Skipped (77) without python3-onnx.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/export_models.sh"
if ! "$PY" -c 'import onnx' 2>/dev/null; then
  echo "$(basename "$0"): skipped: $PY cannot import onnx (apt-get install python3-onnx)"
  exit 77
fi
for m in $MODELS; do
  expect 0 "$NNT" export --format onnx "$T/$m.bin" "$T/$m.onnx"
  expect 0 "$PY" "$NNT_SOURCE_DIR/tests/export_check.py" onnx "$T/$m.onnx" "$T/$m.jsonl"
  sed "s/^/  $m: /" "$T/out"
done
# the graph's interface and metadata as the man page describes them
expect 0 "$PY" -c '
import sys, json, onnx
m = onnx.shape_inference.infer_shapes(onnx.load(sys.argv[1]), strict_mode=True)
io = lambda v: (v.name, [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim])
assert io(m.graph.input[0]) == ("input", ["N", 784]), io(m.graph.input[0])
assert io(m.graph.output[0]) == ("probabilities", ["N", 1]), io(m.graph.output[0])
assert [n.op_type for n in m.graph.node] == ["Gemm", "LeakyRelu", "Gemm", "Sigmoid"]
assert m.ir_version == 7 and m.opset_import[0].version == 13 and m.producer_name == "nnt"
meta = {p.key: p.value for p in m.metadata_props}
assert json.loads(meta["classes"]) == ["ankle-boot", "sneaker"] and meta["input_divisor"] == "255"
assert (meta["input_height"], meta["input_width"], meta["input_channels"]) == ("28", "28", "1")
print("onnx interface and metadata as documented")
' "$T/leaky-relu.onnx"
has "$T/out" "as documented"
expect 0 "$PY" -c '
import sys, onnx
m = onnx.load(sys.argv[1])
assert [n.op_type for n in m.graph.node][-1] == "Softmax"
assert m.graph.output[0].type.tensor_type.shape.dim[1].dim_value == 3
' "$T/three.onnx"
done_tests
