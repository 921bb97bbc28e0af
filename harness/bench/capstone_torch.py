#!/usr/bin/env python3
"""The capstone's model and recipe in PyTorch, for `./bnkit bench capstone` (optional: it
needs Debian's python3-torch; run it with /usr/bin/python3).

    /usr/bin/python3 harness/bench/capstone_torch.py [--data DIR] [--epochs N] [--models plain,bn]
                                                     [--batch-size B] [--lr X] [--seed S]

The same model as lessons/12_capstone (the course notes' MLP, with and without BatchNorm1d),
the same recipe as `./bnkit capstone`: pixels / 255, PyTorch's default initialisation, SGD
without momentum, weight decay on the Linear weights only (biases, gamma and beta in a
no-decay group), Dropout 0.3, shuffled batches (a final batch of one is dropped, as the kit
does), one thread. Batches are cut from tensors in memory (randperm + index): the fastest
plain PyTorch loop, with no DataLoader overhead to blame. Prints one JSON line per epoch:
{"model", "epoch", "seconds" (training only), "train_loss", "test_accuracy"}."""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import torch
from torch import nn


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    values = torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8)
    return values.reshape(dims)


def idx_file(folder, split, kind):
    base = os.path.join(folder, f"{split}-{kind}-{'idx3' if kind == 'images' else 'idx1'}-ubyte")
    for name in (base + ".gz", base):
        if os.path.exists(name):
            return name
    sys.exit(f"capstone_torch.py: no {split} {kind} in {folder}")


def load(folder, split):
    images = read_idx(idx_file(folder, split, "images")).reshape(-1, 28 * 28).to(torch.float32) / 255.0
    labels = read_idx(idx_file(folder, split, "labels")).to(torch.int64)
    return images, labels


def model(batchnorm):
    def block(n_in, n_out):
        layers = [nn.Linear(n_in, n_out)]
        if batchnorm:
            layers.append(nn.BatchNorm1d(n_out))
        return layers + [nn.ReLU(), nn.Dropout(p=0.3)]
    return nn.Sequential(*block(784, 128), *block(128, 64), nn.Linear(64, 10))


def parameter_groups(net, weight_decay):
    """Decay on the Linear weights only, as the kit's parameters() groups them."""
    decay, no_decay = [], []
    for module in net.modules():
        if isinstance(module, nn.Linear):
            decay.append(module.weight)
            no_decay.append(module.bias)
        elif isinstance(module, nn.BatchNorm1d):
            no_decay += [module.weight, module.bias]
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--models", default="plain,bn")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.set_num_threads(1)
    train_x, train_y = load(args.data, "train")
    test_x, test_y = load(args.data, "t10k")
    for name in args.models.split(","):
        torch.manual_seed(args.seed)
        net = model(name == "bn")
        optimizer = torch.optim.SGD(parameter_groups(net, args.weight_decay), lr=args.lr, momentum=0.0)
        loss_fn = nn.CrossEntropyLoss()
        for epoch in range(1, args.epochs + 1):
            net.train()
            order = torch.randperm(len(train_x))
            start, total, batches = time.perf_counter(), 0.0, 0
            for first in range(0, len(order), args.batch_size):
                index = order[first:first + args.batch_size]
                if len(index) == 1 and args.batch_size > 1:
                    break
                optimizer.zero_grad()
                loss = loss_fn(net(train_x[index]), train_y[index])
                loss.backward()
                optimizer.step()
                total += loss.item()
                batches += 1
            seconds = time.perf_counter() - start
            net.eval()
            with torch.no_grad():
                accuracy = (net(test_x).argmax(dim=1) == test_y).float().mean().item()
            print(json.dumps({"model": name, "epoch": epoch, "seconds": round(seconds, 4),
                              "train_loss": round(total / max(batches, 1), 6),
                              "test_accuracy": round(accuracy, 6)}), flush=True)


if __name__ == "__main__":
    main()
