#!/usr/bin/python3
"""Writes the digits data the bundled model is evaluated and calibrated on,
from scikit-learn's digits with the split make_bundled_model.py trained with:

    make_digits_data.py [OUT_DIR]        (default: models/bundled)

digits_test_x.npy   float32 [360,1,8,8]  the whole test split (pixels in [0,1])
digits_test_y.npy   int64   [360]        its labels
digits_calib.npy    float32 [100,1,8,8]  the first 100 training images, for
                                         `octet quantize --calib`
Calibrating on training images and evaluating on the test split keeps the
INT8 accuracy honest: no test image shapes the activation ranges."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_bundled_model import load_split, save  # noqa: E402

CALIB = 100


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "models", "bundled")
    x_train, x_test, _, y_test = load_split()
    save(os.path.join(out, "digits_test_x.npy"), np.ascontiguousarray(x_test))
    save(os.path.join(out, "digits_test_y.npy"), y_test)
    save(os.path.join(out, "digits_calib.npy"), np.ascontiguousarray(x_train[:CALIB]))
    print(f"make_digits_data: {len(x_test)} test images, {CALIB} calibration images in {out}")


if __name__ == "__main__":
    sys.exit(main())
