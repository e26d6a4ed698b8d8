#!/usr/bin/python3
"""W1 peer: the tutorial's two-layer network (LINEAR -> RELU -> LINEAR -> SIGMOID) in numpy.

This is the code of the deeplearning.ai "Deep Neural Network - Application" notebook
(two_layer_model and its helpers), unchanged in what it computes, except:
  - the images come from PNG class folders (read with PIL) instead of the notebook's .h5 files;
  - the label of an image is the index of its class folder in sorted order (as nnt does), so
    for catvnoncat y = 1 means "non-cat";
  - --dtype float32 runs every array in float32 (the tutorial runs float64);
  - --no-dA0 skips the product W1.T · dZ1 (12288 x 209 values) that the tutorial's
    linear_activation_backward computes for layer 1 and never uses.
As in the tutorial: X = pixels / 255 as n_x x m (each column one image, flattened H, W, C),
W = randn * 0.01 after np.random.seed(1), b = 0, full-batch gradient descent, the cost
computed every iteration, db = per-unit row sums (np.sum(dZ, axis=1, keepdims=True)).

Prints one JSON line on stdout: load_seconds, train_seconds, final_cost, train_accuracy,
test_accuracy, epochs, train_images, test_images, dtype.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
from PIL import Image


def list_split(split_dir):
    """[(path, label)] of split_dir/<class>/*.png, classes and files in sorted order."""
    classes = sorted(d for d in os.listdir(split_dir)
                     if not d.startswith(".") and os.path.isdir(os.path.join(split_dir, d)))
    files = []
    for label, c in enumerate(classes):
        d = os.path.join(split_dir, c)
        for f in sorted(os.listdir(d)):
            if f.lower().endswith(".png") and not f.startswith("."):
                files.append((os.path.join(d, f), label))
    return classes, files


def load_split(split_dir, dtype):
    """The tutorial's preprocessing: (m, h, w, c) uint8 -> reshape(m, -1).T / 255."""
    _, files = list_split(split_dir)
    orig = np.stack([np.asarray(Image.open(p).convert("RGB")) for p, _ in files])
    x = orig.reshape(orig.shape[0], -1).T.astype(dtype) / dtype(255)
    y = np.array([[label for _, label in files]], dtype=dtype)  # 1 x m
    return x, y


# ---- the tutorial's helpers -------------------------------------------------------------------

def sigmoid(Z):
    A = 1 / (1 + np.exp(-Z))
    return A, Z


def relu(Z):
    A = np.maximum(0, Z)
    return A, Z


def relu_backward(dA, cache):
    Z = cache
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ


def sigmoid_backward(dA, cache):
    Z = cache
    s = 1 / (1 + np.exp(-Z))
    dZ = dA * s * (1 - s)
    return dZ


def initialize_parameters(n_x, n_h, n_y, dtype):
    np.random.seed(1)
    W1 = (np.random.randn(n_h, n_x) * 0.01).astype(dtype)
    b1 = np.zeros((n_h, 1), dtype=dtype)
    W2 = (np.random.randn(n_y, n_h) * 0.01).astype(dtype)
    b2 = np.zeros((n_y, 1), dtype=dtype)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def linear_forward(A, W, b):
    Z = W.dot(A) + b
    return Z, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        A, activation_cache = sigmoid(Z)
    else:
        A, activation_cache = relu(Z)
    return A, (linear_cache, activation_cache)


def compute_cost(AL, Y):
    m = Y.shape[1]
    cost = (1. / m) * (-np.dot(Y, np.log(AL).T) - np.dot(1 - Y, np.log(1 - AL).T))
    return np.squeeze(cost)


def linear_backward(dZ, cache, need_dA_prev=True):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1. / m * np.dot(dZ, A_prev.T)
    db = 1. / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ) if need_dA_prev else None
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation, need_dA_prev=True):
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    else:
        dZ = sigmoid_backward(dA, activation_cache)
    return linear_backward(dZ, linear_cache, need_dA_prev)


def update_parameters(parameters, grads, learning_rate):
    for l in (1, 2):
        parameters["W%d" % l] = parameters["W%d" % l] - learning_rate * grads["dW%d" % l]
        parameters["b%d" % l] = parameters["b%d" % l] - learning_rate * grads["db%d" % l]
    return parameters


def two_layer_model(X, Y, layers_dims, learning_rate, num_iterations, dtype, want_dA0):
    n_x, n_h, n_y = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y, dtype)
    W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
    lr = dtype(learning_rate)  # a Python float would promote float32 arrays to float64
    grads = {}
    cost = None
    for i in range(0, num_iterations):
        A1, cache1 = linear_activation_forward(X, W1, b1, "relu")
        A2, cache2 = linear_activation_forward(A1, W2, b2, "sigmoid")
        cost = compute_cost(A2, Y)
        dA2 = - (np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        dA0, dW1, db1 = linear_activation_backward(dA1, cache1, "relu", need_dA_prev=want_dA0)
        grads["dW1"], grads["db1"], grads["dW2"], grads["db2"] = dW1, db1, dW2, db2
        parameters = update_parameters(parameters, grads, lr)
        W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
    return parameters, float(cost)


def predict(X, Y, parameters):
    A1, _ = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
    A2, _ = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
    return float(np.mean((A2 > 0.5) == (Y > 0.5)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", help="DIR with train/<class>/*.png and test/<class>/*.png (2 classes)")
    ap.add_argument("--dtype", choices=("float32", "float64"), default="float64")
    ap.add_argument("--hidden", type=int, default=7)
    ap.add_argument("--lr", type=float, default=0.0075)
    ap.add_argument("--epochs", type=int, default=2500)
    ap.add_argument("--no-dA0", action="store_true",
                    help="skip the tutorial's unused W1.T . dZ1 product")
    args = ap.parse_args()
    dtype = np.float32 if args.dtype == "float32" else np.float64

    t = time.perf_counter()
    train_x, train_y = load_split(os.path.join(args.dir, "train"), dtype)
    test_dir = os.path.join(args.dir, "test")
    test_x, test_y = load_split(test_dir, dtype) if os.path.isdir(test_dir) else (None, None)
    load_seconds = time.perf_counter() - t

    t = time.perf_counter()
    parameters, cost = two_layer_model(train_x, train_y, (train_x.shape[0], args.hidden, 1),
                                       args.lr, args.epochs, dtype, not args.no_dA0)
    train_seconds = time.perf_counter() - t

    print(json.dumps({
        "peer": "tutorial_numpy", "dtype": args.dtype, "dA0": not args.no_dA0,
        "load_seconds": load_seconds, "train_seconds": train_seconds, "final_cost": cost,
        "epochs": args.epochs, "train_images": int(train_x.shape[1]),
        "test_images": int(test_x.shape[1]) if test_x is not None else 0,
        "train_accuracy": predict(train_x, train_y, parameters),
        "test_accuracy": predict(test_x, test_y, parameters) if test_x is not None else None,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
