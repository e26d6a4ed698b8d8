#!/usr/bin/python3
"""W2 peer: a 784-256-10 ReLU/softmax network trained by plain minibatch SGD in numpy float32.

The same algorithm as `nnt train --hidden 256 --act relu --batch 128 --lr 0.1`:
W = randn * 0.01, b = 0; each epoch a fresh random permutation cut into batches of 128 (the
last one smaller); per batch: Z1 = X W1^T + b1, A1 = relu(Z1), Z2 = A1 W2^T + b2,
A2 = softmax(Z2), cost = mean cross-entropy, dZ2 = (A2 - onehot(y)) / bs, dW2 = dZ2^T A1,
db2 = sum(dZ2), dA1 = dZ2 W2, dZ1 = dA1 * (Z1 > 0), dW1 = dZ1^T X, db1 = sum(dZ1), then
param -= lr * grad.  Written the way numpy code is usually written: one image per row
(so a batch is a contiguous gather), X converted to float32 / 255 once, up front.

Reads the IDX files (see fmnist_idx.py).  Prints one JSON line on stdout.
"""

import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fmnist_idx  # noqa: E402


def softmax_rows(Z):
    Z = Z - Z.max(axis=1, keepdims=True)
    E = np.exp(Z)
    return E / E.sum(axis=1, keepdims=True)


def forward(X, W1, b1, W2, b2):
    Z1 = X @ W1.T + b1
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ W2.T + b2
    return Z1, A1, softmax_rows(Z2)


def accuracy(X, y, params):
    return float(np.mean(forward(X, *params)[2].argmax(axis=1) == y))


def main():
    args = fmnist_idx.peer_args(__doc__.split("\n")[0])

    X, y, Xt, yt, load_seconds = fmnist_idx.load_scaled(args)

    m, n_x = X.shape
    n_h, n_y = args.hidden, 10
    rng = np.random.default_rng(args.seed)
    W1 = (rng.standard_normal((n_h, n_x), dtype=np.float32) * np.float32(0.01))
    b1 = np.zeros(n_h, dtype=np.float32)
    W2 = (rng.standard_normal((n_y, n_h), dtype=np.float32) * np.float32(0.01))
    b2 = np.zeros(n_y, dtype=np.float32)
    lr = np.float32(args.lr)
    eye = np.eye(n_y, dtype=np.float32)

    t = time.perf_counter()
    cost = 0.0
    for epoch in range(args.epochs):
        perm = rng.permutation(m)
        total = 0.0
        for first in range(0, m, args.batch):
            idx = perm[first:first + args.batch]
            Xb, yb = X[idx], y[idx]
            bs = Xb.shape[0]
            Z1, A1, A2 = forward(Xb, W1, b1, W2, b2)
            total += float(-np.log(A2[np.arange(bs), yb] + np.float32(1e-30)).sum())
            dZ2 = (A2 - eye[yb]) / np.float32(bs)
            dW2 = dZ2.T @ A1
            db2 = dZ2.sum(axis=0)
            dA1 = dZ2 @ W2
            dZ1 = dA1 * (Z1 > 0)
            dW1 = dZ1.T @ Xb
            db1 = dZ1.sum(axis=0)
            W1 -= lr * dW1
            b1 -= lr * db1
            W2 -= lr * dW2
            b2 -= lr * db2
        cost = total / m
    train_seconds = time.perf_counter() - t

    params = (W1, b1, W2, b2)
    print(json.dumps({
        "peer": "mlp_numpy", "load_seconds": load_seconds, "train_seconds": train_seconds,
        "final_cost": cost, "epochs": args.epochs, "train_images": m, "test_images": len(yt),
        "train_accuracy": accuracy(X, y, params), "test_accuracy": accuracy(Xt, yt, params),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
