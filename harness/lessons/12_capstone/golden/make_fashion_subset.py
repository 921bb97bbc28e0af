#!/usr/bin/env python3
"""The graded capstone's data: the first TRAIN training images and the first TEST test
images of the real Fashion-MNIST, as IDX files, cut from Debian's dataset-fashion-mnist.

    /usr/bin/python3 harness/lessons/12_capstone/golden/make_fashion_subset.py [SOURCE_DIR]

Writes harness/lessons/12_capstone/golden/fashion_mnist_subset/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz.
Deterministic (gzip mtime 0), so a rerun changes no byte."""
import gzip
import os
import struct
import sys

TRAIN, TEST = 3000, 1000
source = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fashion_mnist_subset")


def cut(split, kind, count):
    suffix = "images-idx3-ubyte" if kind == "images" else "labels-idx1-ubyte"
    name = f"{split}-{suffix}.gz"
    with gzip.open(os.path.join(source, name), "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = list(struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim]))
    per_item = 1
    for d in dims[1:]:
        per_item *= d
    body = data[4 + 4 * ndim:4 + 4 * ndim + count * per_item]
    dims[0] = count
    header = data[:4] + struct.pack(">" + "I" * ndim, *dims)
    with open(os.path.join(out_dir, name), "wb") as out:
        with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
            gz.write(header + body)


os.makedirs(out_dir, exist_ok=True)
for split, count in (("train", TRAIN), ("t10k", TEST)):
    for kind in ("images", "labels"):
        cut(split, kind, count)
print(f"wrote {TRAIN} training and {TEST} test samples to {out_dir}")
