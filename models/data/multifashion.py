#!/usr/bin/env python3
"""Reference implementation of Tern's Multi-Fashion construction (see ../README.md, "Multi-Fashion").

It reproduces, canvas for canvas, what dev.tern.compress.data.MultiFashion builds in Java:
java.util.Random is ported below (its algorithm is fixed by the Java specification).

    python3 models/data/multifashion.py [fashion-mnist folder]

prints the first canvases' recipes and the sha256 digests that MultiFashionTest pins:
the test split and the training epoch (seed 1, epoch 0). Needs numpy.
"""
import gzip
import hashlib
import sys

import numpy as np

TEST_SEED = 20190712
EPOCH_MIX = 0x9E3779B97F4A7C15


class JavaRandom:
    """java.util.Random: a 48-bit LCG; next_int(bound) exactly as its Javadoc specifies."""
    MASK = (1 << 48) - 1

    def __init__(self, seed):
        self.s = (seed ^ 0x5DEECE66D) & self.MASK

    def _next31(self):
        self.s = (self.s * 0x5DEECE66D + 0xB) & self.MASK
        return self.s >> 17

    def next_int(self, bound):
        r = self._next31()
        m = bound - 1
        if bound & m == 0:  # power of two
            return (bound * r) >> 31
        u = r
        while u - (u % bound) + m >= 1 << 31:  # Java: the int sum overflows to a negative value
            u = self._next31()
        return u % bound


def test_recipe(n):
    """(A, B, dyA, dxA, dyB, dxB) per canvas: A = test image i, B random."""
    r = JavaRandom(TEST_SEED)
    rows = []
    for i in range(n):
        b = r.next_int(n)
        rows.append((i, b) + tuple(r.next_int(5) for _ in range(4)))
    return rows


def train_recipe(n, seed, epoch):
    """One epoch: A = a shuffled permutation of the training images, B random."""
    r = JavaRandom(seed ^ (epoch * EPOCH_MIX))
    p = list(range(n))
    for i in range(n - 1, 0, -1):
        j = r.next_int(i + 1)
        p[i], p[j] = p[j], p[i]
    rows = []
    for i in range(n):
        b = r.next_int(n)
        rows.append((p[i], b) + tuple(r.next_int(5) for _ in range(4)))
    return rows


def canvas(a, b, dya, dxa, dyb, dxb):
    """36x36 uint8: A at (dyA, dxA), B at (8 - dyB, 8 - dxB), pixel-wise max."""
    c = np.zeros((36, 36), np.uint8)
    c[dya:dya + 28, dxa:dxa + 28] = a
    y, x = 8 - dyb, 8 - dxb
    c[y:y + 28, x:x + 28] = np.maximum(c[y:y + 28, x:x + 28], b)
    return c


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    assert data[:3] == b"\x00\x00\x08", "expected an unsigned-byte IDX file"
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * k:8 + 4 * k], "big") for k in range(rank)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * rank).reshape(dims)


def digest(images, labels, rows):
    """sha256 over the canvases in order: 1296 uint8 pixels, then the bytes left, right."""
    h = hashlib.sha256()
    for a, b, *shifts in rows:
        h.update(canvas(images[a], images[b], *shifts).tobytes())
        h.update(bytes([labels[a], labels[b]]))
    return h.hexdigest()


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "models/data/fashion-mnist"
    for split, recipe in (("t10k", test_recipe), ("train", lambda n: train_recipe(n, 1, 0))):
        images = read_idx(f"{folder}/{split}-images-idx3-ubyte.gz")
        labels = read_idx(f"{folder}/{split}-labels-idx1-ubyte.gz")
        rows = recipe(len(labels))
        print(split, "first canvases (A, B, dyA, dxA, dyB, dxB):", rows[:2])
        print(split, "sha256:", digest(images, labels, rows))


if __name__ == "__main__":
    main()
