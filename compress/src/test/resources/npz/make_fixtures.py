#!/usr/bin/env python3
"""Writes the .npz fixtures NpzFileTest reads: the same arrays through numpy.savez (stored
members, zip64 extras) and numpy.savez_compressed (deflated members). Development time only:

    /usr/bin/python3 compress/src/test/resources/npz/make_fixtures.py
"""
import os

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
arrays = {
    "x": np.array([[0.0, 1.5, -2.0], [3.0, 4.0, 5.25]], dtype=np.float32),
    "pixels": np.arange(2 * 2 * 2, dtype=np.uint8).reshape(2, 2, 2, 1) * 30,
    "ids": np.array([0, 2], dtype=np.int64),
    "ids32": np.array([1, 0], dtype=np.int32),
    "flags": np.array([[True, False], [False, True]]),
    "targets": np.array([0.5, -1.25], dtype=np.float64),
}
np.savez(os.path.join(here, "savez.npz"), **arrays)
np.savez_compressed(os.path.join(here, "savez_compressed.npz"), **arrays)
print("numpy", np.__version__)
