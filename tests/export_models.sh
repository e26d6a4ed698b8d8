# export_models.sh — sourced by cli_export_npz.sh and cli_export_onnx.sh after lib.sh: trains the
# models both check (every activation on data/, a three-class softmax model, an RGB one) and
# writes nnt predict's JSON for their images into $T/NAME.jsonl. Sets PY, or exits 77 without
# numpy (python3-numpy; the PATH python3 may be another one, so Debian's is used).
PY=${NNT_PYTHON:-/usr/bin/python3}
if ! "$PY" -c 'import numpy' 2>/dev/null; then
  echo "$(basename "$0"): skipped: $PY cannot import numpy (apt-get install python3-numpy)"
  exit 77
fi
D="$NNT_SOURCE_DIR/data"
find "$D/test" -name '*.png' | sort | head -n 60 >"$T/test.list"
for act in sigmoid tanh relu leaky-relu; do
  expect 0 "$NNT" train -q --act $act --hidden 6 --epochs 3 -o "$T/$act.bin" "$D"
  expect 0 xargs -d '\n' "$NNT" predict --json "$T/$act.bin" <"$T/test.list"
  cp "$T/out" "$T/$act.jsonl"
done
# three classes (softmax output, flat layout) from data/'s images, and a small RGB set (4x5
# pixels, two classes) written by the stdlib-only PNG writer below
mkdir -p "$T/three/x" "$T/three/y" "$T/three/z" "$T/rgb/a" "$T/rgb/b"
i=0
for f in $(find "$D/train" -name '*.png' | sort | head -n 45); do
  cp "$f" "$T/three/$(echo x y z | cut -d' ' -f$((i % 3 + 1)))/$i.png"; i=$((i + 1))
done
"$PY" - "$T/rgb" <<'PYEOF'
import struct, sys, zlib
def png(path, w, h, rgb):
    rows = b"".join(b"\0" + bytes(rgb[y * w * 3:(y + 1) * w * 3]) for y in range(h))
    chunk = lambda k, d: struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
for k in range(24):
    cls = "ab"[k % 2]
    px = [((x * 37 + y * 11 + c * 70 + k * 13) * (3 if cls == "a" else 5)) % 256
          for y in range(5) for x in range(4) for c in range(3)]
    png(f"{sys.argv[1]}/{cls}/{k}.png", 4, 5, px)
PYEOF
expect 0 "$NNT" train -q --hidden 5 --epochs 4 -o "$T/three.bin" "$T/three"
find "$T/three" -name '*.png' | sort >"$T/three.list"
expect 0 xargs -d '\n' "$NNT" predict --json "$T/three.bin" <"$T/three.list"
cp "$T/out" "$T/three.jsonl"
expect 0 "$NNT" train -q --act tanh --hidden 3 --epochs 20 -o "$T/rgb.bin" "$T/rgb"
expect 0 "$NNT" info "$T/rgb.bin"; has "$T/out" "4x5x3 (RGB)"
find "$T/rgb" -name '*.png' | sort >"$T/rgb.list"
expect 0 xargs -d '\n' "$NNT" predict --json "$T/rgb.bin" <"$T/rgb.list"
cp "$T/out" "$T/rgb.jsonl"
MODELS="sigmoid tanh relu leaky-relu three rgb"
