#!/usr/bin/python3
"""W3 peer: decode a PNG class-folder tree into one uint8 training matrix with PIL + numpy.

Lists DIR/train/<class>/*.png and DIR/test/<class>/*.png (classes and files in sorted order,
as nnt does), decodes every image with PIL, and stores it as one column of a uint8 matrix
n_x x m (column-major, so a column is contiguous: what nnt builds).  One process, one
thread: PIL + numpy as a Python user writes it.  Prints one JSON line on stdout:
load_seconds (listing + decoding), images, n_x, checksum.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
from PIL import Image


def list_split(split_dir):
    classes = sorted(d for d in os.listdir(split_dir)
                     if not d.startswith(".") and os.path.isdir(os.path.join(split_dir, d)))
    files = []
    for label, c in enumerate(classes):
        d = os.path.join(split_dir, c)
        files.extend((os.path.join(d, f), label) for f in sorted(os.listdir(d))
                     if f.lower().endswith(".png") and not f.startswith("."))
    return files


def load(files):
    """(X, y): X is n_x x m uint8, column j = image j flattened (H, W, C)."""
    first = np.asarray(Image.open(files[0][0]))
    X = np.empty((first.size, len(files)), dtype=np.uint8, order="F")
    y = np.empty(len(files), dtype=np.int32)
    for j, (path, label) in enumerate(files):
        with Image.open(path) as im:
            X[:, j] = np.asarray(im).reshape(-1)
        y[j] = label
    return X, y


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", help="DIR with train/<class>/*.png and optionally test/<class>/*.png")
    args = ap.parse_args()

    t = time.perf_counter()
    splits = [s for s in ("train", "test") if os.path.isdir(os.path.join(args.dir, s))]
    mats = [load(list_split(os.path.join(args.dir, s))) for s in splits]
    load_seconds = time.perf_counter() - t

    print(json.dumps({
        "peer": "load_pil", "load_seconds": load_seconds,
        "images": int(sum(X.shape[1] for X, _ in mats)), "n_x": int(mats[0][0].shape[0]),
        "checksum": int(sum(int(X.sum(dtype=np.uint64)) for X, _ in mats)),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
