"""export_check.py — runs an exported model in Python and compares it with `nnt predict`.

Usage: /usr/bin/python3 export_check.py npz|onnx EXPORTED PREDICTIONS.jsonl [TOL]

PREDICTIONS.jsonl is the output of `nnt predict --json MODEL IMAGE...` on images of the model's
own size. Each image is decoded here (a minimal PNG reader: 8-bit, non-interlaced, which is what
data/ and the Fashion-MNIST folders hold), divided by 255 and run through the export: the .npz
with numpy exactly as docs/nnt.1 tells a user to, the ONNX graph after onnx.checker with
onnx.reference, onnxruntime, or else a numpy interpreter of its nodes. Labels must agree and the
probability of nnt's label must be within TOL (default 1e-5). Exit 0 on agreement, 1 otherwise,
77 (skipped) when numpy or onnx cannot be imported.
"""
import json
import struct
import sys
import zlib

try:
    import numpy as np
except ImportError:
    print("export_check: numpy not importable: skipped")
    sys.exit(77)


def read_png(path):
    """H x W x C uint8 array of an 8-bit non-interlaced gray, gray+alpha, RGB or RGBA PNG."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG")
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + n
    width, height, depth, ctype, _, _, interlace = ihdr
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype)
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"{path}: only 8-bit non-interlaced gray/RGB PNGs are read here")
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    out = bytearray(height * stride)
    prev = bytearray(stride)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out[y * stride:(y + 1) * stride] = line
        prev = line
    img = np.frombuffer(bytes(out), dtype=np.uint8).reshape(height, width, channels)
    return img[:, :, :1] if channels == 2 else img[:, :, :3] if channels == 4 else img


def activation(name, z, slope=0.01):
    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0)
    if name == "leaky-relu":
        return np.where(z > 0, z, slope * z)
    raise ValueError(f"unknown activation {name}")


def run_npz(path, images):
    """The forward pass as docs/nnt.1 writes it: one image per column of X."""
    z = np.load(path)  # allow_pickle is False by default: no object arrays inside
    assert z["W1"].dtype == np.float32 and z["classes"].dtype.kind == "U", "dtypes"
    h, w, c = int(z["height"]), int(z["width"]), int(z["channels"])
    assert z["W1"].shape == (z["b1"].shape[0], h * w * c), "W1 is n_h x n_x"
    X = np.stack([img.reshape(-1) for img in images], axis=1) / z["input_divisor"]
    A1 = activation(str(z["activation"]), z["W1"] @ X + z["b1"], z["leaky_slope"])
    Z2 = z["W2"] @ A1 + z["b2"]
    if str(z["output"]) == "sigmoid":
        P = 1 / (1 + np.exp(-Z2))
    else:
        e = np.exp(Z2 - Z2.max(axis=0))
        P = e / e.sum(axis=0)
    return [str(s) for s in z["classes"]], P.T  # one row per image


def eval_numpy(model, feeds):
    """A numpy interpreter of the few operators nnt's graphs use."""
    from onnx import numpy_helper
    env = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    env.update(feeds)
    for node in model.graph.node:
        attr = {a.name: (a.f if a.type == 1 else a.i) for a in node.attribute}
        x = [env[i] for i in node.input]
        if node.op_type == "Gemm":
            a = x[0].T if attr.get("transA", 0) else x[0]
            b = x[1].T if attr.get("transB", 0) else x[1]
            y = attr.get("alpha", 1.0) * (a @ b) + attr.get("beta", 1.0) * x[2]
        elif node.op_type == "Relu":
            y = np.maximum(x[0], 0)
        elif node.op_type == "Sigmoid":
            y = 1 / (1 + np.exp(-x[0]))
        elif node.op_type == "Tanh":
            y = np.tanh(x[0])
        elif node.op_type == "LeakyRelu":
            y = np.where(x[0] > 0, x[0], attr.get("alpha", 0.01) * x[0])
        elif node.op_type == "Softmax":
            axis = attr.get("axis", -1)
            e = np.exp(x[0] - x[0].max(axis=axis, keepdims=True))
            y = e / e.sum(axis=axis, keepdims=True)
        else:
            raise ValueError(f"operator {node.op_type} not interpreted here")
        env[node.output[0]] = y.astype(np.float32)
    return env[model.graph.output[0].name]


def run_onnx(path, images):
    try:
        import onnx
    except ImportError:
        print("export_check: onnx not importable: skipped")
        sys.exit(77)
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)  # also runs strict shape inference
    meta = {p.key: p.value for p in model.metadata_props}
    n_x = model.graph.input[0].type.tensor_type.shape.dim[1].dim_value
    X = np.stack([img.reshape(-1) for img in images]).astype(np.float32) / 255
    assert X.shape[1] == n_x, f"images have {X.shape[1]} samples, the graph wants {n_x}"
    feeds = {model.graph.input[0].name: X}
    try:
        from onnx.reference import ReferenceEvaluator
        P, how = ReferenceEvaluator(model).run(None, feeds)[0], "onnx.reference"
    except ImportError:
        try:
            import onnxruntime
            sess = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
            P, how = sess.run(None, feeds)[0], "onnxruntime"
        except ImportError:
            P, how = eval_numpy(model, feeds), f"numpy interpreter (onnx {onnx.__version__})"
    print(f"onnx: checker passed, evaluated with {how}")
    return json.loads(meta["classes"]), P


def main():
    fmt, exported, predictions = sys.argv[1:4]
    tol = float(sys.argv[4]) if len(sys.argv) > 4 else 1e-5
    with open(predictions) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    images = [read_png(r["file"]) for r in rows]
    classes, P = (run_npz if fmt == "npz" else run_onnx)(exported, images)
    agree, worst, bad = 0, 0.0, []
    for r, p in zip(rows, P):
        if len(p) == 1:
            label = classes[1] if p[0] > 0.5 else classes[0]
            prob = p[0] if p[0] > 0.5 else 1 - p[0]
        else:
            label = classes[int(np.argmax(p))]
            prob = p[int(np.argmax(p))]
        d = abs(float(prob) - r["probability"]) if label == r["label"] else 1.0
        worst = max(worst, d)
        if label == r["label"]:
            agree += 1
        if d > tol:
            bad.append(f"{r['file']}: nnt {r['label']} {r['probability']}, {fmt} {label} {prob}")
    print(f"{fmt}: {len(rows)} images, labels agree on {agree}, max |dp| {worst:.3g} (tol {tol:g})")
    for line in bad[:5]:
        print("  " + line)
    sys.exit(0 if not bad and agree == len(rows) and rows else 1)


if __name__ == "__main__":
    main()
