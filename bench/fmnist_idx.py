"""Fashion-MNIST from its IDX files (gzip or not), for the W2 Python peers.

The W2 peers read the IDX files, not the PNG folders: W2 compares the training phase, and
the PNG decoding is W3's subject.  Pixels are the same bytes the PNGs hold.
"""

import argparse
import gzip
import os
import struct
import time

import numpy as np

DEFAULT_SRC = "/usr/share/datasets/fashion-mnist"


def _read(src, name):
    for path in (os.path.join(src, name + ".gz"), os.path.join(src, name)):
        if os.path.isfile(path):
            opener = gzip.open if path.endswith(".gz") else open
            with opener(path, "rb") as f:
                return f.read()
    raise FileNotFoundError("%s: no %s[.gz]" % (src, name))


def peer_args(description, extra=None):
    """The W2 peers' common command line (W2's algorithm by default); `extra(ap)` may add more."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--src", default=DEFAULT_SRC)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--images", type=int, default=None, help="first N training images")
    ap.add_argument("--seed", type=int, default=1)
    if extra:
        extra(ap)
    return ap.parse_args()


def load_scaled(args):
    """(X, y, Xt, yt, load_seconds): train and test images as float32 rows in [0, 1]."""
    t = time.perf_counter()
    Xu, y = load(args.src, "train", args.images)
    Xtu, yt = load(args.src, "test")
    X = Xu.astype(np.float32) / np.float32(255)
    Xt = Xtu.astype(np.float32) / np.float32(255)
    return X, y, Xt, yt, time.perf_counter() - t


def load(src=DEFAULT_SRC, split="train", limit=None):
    """(X, y): X is m x 784 uint8 (one image per row), y is m int64 labels in 0..9."""
    stem = "train" if split == "train" else "t10k"
    img = _read(src, stem + "-images-idx3-ubyte")
    lab = _read(src, stem + "-labels-idx1-ubyte")
    magic, n, rows, cols = struct.unpack_from(">IIII", img, 0)
    magic_l, n_l = struct.unpack_from(">II", lab, 0)
    if magic != 0x803 or magic_l != 0x801 or n != n_l:
        raise ValueError("%s: not a Fashion-MNIST IDX pair" % src)
    X = np.frombuffer(img, dtype=np.uint8, offset=16).reshape(n, rows * cols)
    y = np.frombuffer(lab, dtype=np.uint8, offset=8).astype(np.int64)
    if limit is not None:
        X, y = X[:limit], y[:limit]
    return X, y
