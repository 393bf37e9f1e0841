#!/usr/bin/python3
"""Writes this sample's data from scikit-learn's copy of the UCI 8x8 digits (python3-sklearn):

- digits-train.csv: the 1,347 images that are not in ../shared/models/digits/digits-test.csv,
- digits-test.csv: those 450 held-out images, as the shared model's test set has them,
- ../Models/digits-init.netgen.json: the 64-32-16-10 architecture of the shared model at
  PyTorch's default initialisation (uniform in +-1/sqrt(fan_in)), seed 0.

Each CSV row is `label,p0..p63`, pixels scaled from 0..16 to 0..1.

    /usr/bin/python3 samples/DigitsTraining/Data/make_data.py
"""
import base64
import csv
import gzip
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "..", "..", "shared", "models", "digits", "digits-test.csv")
import sklearn.datasets

digits = sklearn.datasets.load_digits()
images = (digits.data / 16.0).astype(np.float32)
labels = digits.target

with open(SHARED) as f:
    test = [tuple(float(v) for v in row) for row in list(csv.reader(f))[1:]]
test_keys = {}
for row in test:
    test_keys.setdefault(row, 0)
    test_keys[row] += 1

train = []
for image, label in zip(images, labels):
    key = (float(label),) + tuple(float(v) for v in image)
    if test_keys.get(key, 0) > 0:
        test_keys[key] -= 1
    else:
        train.append(key)
assert sum(test_keys.values()) == 0, "every test image is one of scikit-learn's"


def write(name, rows):
    with open(os.path.join(HERE, name), "w", newline="") as f:
        f.write("label," + ",".join(f"p{i}" for i in range(64)) + "\n")
        for row in rows:
            f.write(str(int(row[0])) + "," + ",".join(f"{v:g}" for v in row[1:]) + "\n")


write("digits-train.csv", train)
write("digits-test.csv", test)

rng = np.random.default_rng(0)


def tensor(shape, fan_in):
    bound = 1 / np.sqrt(fan_in)
    a = rng.uniform(-bound, bound, size=shape).astype("<f4")
    return {"shape": list(shape), "dtype": "f32", "base64": base64.b64encode(a.tobytes()).decode("ascii")}


layers = []
for n, m, activation in ((64, 32, "relu"), (32, 16, "relu"), (16, 10, None)):
    layer = {"op": "linear", "out": m, "weight": tensor((m, n), n), "bias": tensor((m,), n)}
    if activation:
        layer["activation"] = activation
    layers.append(layer)
description = {
    "format": "netgen/1",
    "input": 64,
    "description": "The digits classifier's 64-32-16-10 architecture, untrained: PyTorch's default initialisation, seed 0. Its logits feed a cross-entropy loss.",
    "layers": layers,
}
with open(os.path.join(HERE, "..", "Models", "digits-init.netgen.json"), "w") as f:
    json.dump(description, f, indent=2)
    f.write("\n")
print(len(train), "training images,", len(test), "test images")
