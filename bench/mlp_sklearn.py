#!/usr/bin/python3
"""W2 peer: scikit-learn's MLPClassifier on the same job (784-256-10, ReLU, softmax output).

MLPClassifier(hidden_layer_sizes=(256,), activation='relu', solver='sgd',
learning_rate='constant', learning_rate_init=0.1, momentum=0, nesterovs_momentum=False,
batch_size=128, max_iter=5, alpha=0, shuffle=True, tol=0, n_iter_no_change=max_iter + 1,
early_stopping=False) -- plain minibatch SGD for exactly max_iter epochs.  What differs from
nnt and the other peers and cannot be switched off: the weights start Glorot-uniform, not
randn * 0.01.  X is given as float32 (scikit-learn >= 1.0 keeps float32 through the MLP).
Reads the IDX files (see fmnist_idx.py).  Prints one JSON line on stdout.
"""

import json
import os
import sys
import time
import warnings

import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fmnist_idx  # noqa: E402


def main():
    args = fmnist_idx.peer_args(__doc__.split("\n")[0])

    X, y, Xt, yt, load_seconds = fmnist_idx.load_scaled(args)

    clf = MLPClassifier(hidden_layer_sizes=(args.hidden,), activation="relu", solver="sgd",
                        learning_rate="constant", learning_rate_init=args.lr, momentum=0.0,
                        nesterovs_momentum=False, batch_size=args.batch, max_iter=args.epochs,
                        alpha=0.0, shuffle=True, tol=0.0, n_iter_no_change=args.epochs + 1,
                        early_stopping=False, random_state=args.seed)
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    train_seconds = time.perf_counter() - t

    print(json.dumps({
        "peer": "mlp_sklearn", "sklearn": sklearn.__version__,
        "dtype": str(clf.coefs_[0].dtype), "load_seconds": load_seconds,
        "train_seconds": train_seconds, "final_cost": float(clf.loss_),
        "epochs": int(clf.n_iter_), "train_images": int(len(y)), "test_images": int(len(yt)),
        "train_accuracy": float(clf.score(X, y)), "test_accuracy": float(clf.score(Xt, yt)),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
