#!/usr/bin/env python3
"""make_model_seeds.py — writes the model-file seeds of tests/fuzz/corpus/model/ (format v1, as
docs/model-format.md describes it), each a valid file that reaches a different part of the decoder.
tests/data/model-v1.bin, written by nnt itself, is copied there next to them.

    python3 tests/fuzz/make_model_seeds.py tests/fuzz/corpus/model
"""
import os
import struct
import sys
import zlib

MAGIC = b"\x89NNT\r\n\x1a\n"
SIGMOID, TANH, RELU, LEAKY_RELU = range(4)


def chunk(tag, payload):
    return tag + struct.pack("<Q", len(payload)) + payload


def model(width, height, channels, n_h, classes, act, meta=None, extra=(), meta_first=False):
    n_x = width * height * channels
    n_y = 1 if len(classes) == 2 else len(classes)
    n_params = n_h * n_x + n_h + n_y * n_h + n_y
    head = struct.pack("<8If", width, height, channels, n_x, n_h, n_y, len(classes), act, 255.0)
    clss = struct.pack("<I", len(classes)) + b"".join(struct.pack("<I", len(c)) + c for c in classes)
    # exact binary32 values of both signs, zero and -0.0 among them
    params = [(-1) ** i * (i % 9) * 0.25 for i in range(n_params)]
    params[0] = -0.0
    parm = struct.pack("<Q", n_params) + struct.pack("<%df" % n_params, *params)
    body = chunk(b"HEAD", head)
    middle = [chunk(b"CLSS", clss), chunk(b"PARM", parm)]
    if meta is not None:
        middle.insert(0 if meta_first else 2, chunk(b"META", meta))
    body += b"".join(middle) + b"".join(chunk(t, p) for t, p in extra) + chunk(b"END ", b"")
    data = MAGIC + struct.pack("<I", 1) + body
    return data + struct.pack("<I", zlib.crc32(data))


SEEDS = {
    # smallest possible: 1 x 1 gray, one hidden unit, two classes, no META
    "tiny-sigmoid.bin": model(1, 1, 1, 1, [b"a", b"b"], SIGMOID),
    # RGB, softmax over three classes, two-line META
    "rgb-3class-tanh.bin": model(2, 2, 3, 2, [b"cat", b"dog", b"bird"], TANH,
                                 meta=b"nnt_version=0.1.0\nlearning_rate=0.0075\n"),
    # META before CLSS, unknown ancillary chunks (skipped), empty META, UTF-8 and 255-byte names
    "reordered-ancillary.bin": model(3, 1, 1, 2, [b"\xc3\xa9t\xc3\xa9", b"x" * 255, b"..."],
                                     LEAKY_RELU, meta=b"", meta_first=True,
                                     extra=[(b"xtra", b"skipped"), (b"z   ", b"")]),
    # 2 x 3 (width != height), four classes, ReLU
    "gray-4class-relu.bin": model(2, 3, 1, 3, [b"0", b"1", b"2", b"3"], RELU,
                                  meta=b"seed=42\n"),
}

if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_model_seeds.py OUT_DIR")
    for name, data in SEEDS.items():
        with open(os.path.join(sys.argv[1], name), "wb") as f:
            f.write(data)
