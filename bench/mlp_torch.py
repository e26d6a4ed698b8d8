#!/usr/bin/python3
"""W2 peer: the same 784-256-10 ReLU/softmax network and plain minibatch SGD in PyTorch (CPU).

torch.nn.Linear -> ReLU -> Linear, torch.nn.functional.cross_entropy (mean over the batch),
torch.optim.SGD(lr, momentum=0, weight_decay=0).  Weights are set to randn * 0.01 and biases
to 0 (nnt's and the numpy peer's initialisation); each epoch a fresh torch.randperm cut into
batches of 128.  torch.set_num_threads(2) unless --threads says otherwise (the machine has 2
cores).  Reads the IDX files (see fmnist_idx.py).  Prints one JSON line on stdout.
"""

import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fmnist_idx  # noqa: E402


def main():
    args = fmnist_idx.peer_args(__doc__.split("\n")[0],
                                lambda ap: ap.add_argument("--threads", type=int, default=2))
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    t = time.perf_counter()
    Xu, y = fmnist_idx.load(args.src, "train", args.images)
    Xtu, yt = fmnist_idx.load(args.src, "test")
    X = torch.from_numpy(Xu.astype(np.float32) / np.float32(255))
    Y = torch.from_numpy(y)
    Xt = torch.from_numpy(Xtu.astype(np.float32) / np.float32(255))
    Yt = torch.from_numpy(yt)
    load_seconds = time.perf_counter() - t

    m, n_x = X.shape
    model = torch.nn.Sequential(torch.nn.Linear(n_x, args.hidden), torch.nn.ReLU(),
                                torch.nn.Linear(args.hidden, 10))
    with torch.no_grad():
        for layer in (model[0], model[2]):
            layer.weight.normal_(0.0, 0.01)
            layer.bias.zero_()
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.0, weight_decay=0.0)

    t = time.perf_counter()
    cost = 0.0
    for epoch in range(args.epochs):
        perm = torch.randperm(m)
        total = 0.0
        for first in range(0, m, args.batch):
            idx = perm[first:first + args.batch]
            xb, yb = X[idx], Y[idx]
            loss = torch.nn.functional.cross_entropy(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        cost = total / m
    train_seconds = time.perf_counter() - t

    with torch.no_grad():
        train_acc = (model(X).argmax(1) == Y).float().mean().item()
        test_acc = (model(Xt).argmax(1) == Yt).float().mean().item()
    print(json.dumps({
        "peer": "mlp_torch", "torch": torch.__version__, "threads": torch.get_num_threads(),
        "load_seconds": load_seconds, "train_seconds": train_seconds, "final_cost": cost,
        "epochs": args.epochs, "train_images": int(m), "test_images": int(len(Yt)),
        "train_accuracy": train_acc, "test_accuracy": test_acc,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
