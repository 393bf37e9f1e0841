#!/usr/bin/env python3
"""Writes external.netgen.json and external.weights.bin: a network whose tensors live in a weight file.

The weights are deterministic (numpy's PCG64, seed 20261124) and drawn like PyTorch's default
nn.Linear initialization, U(-1/sqrt(in), 1/sqrt(in)). Tensors sit at assorted offsets in the
one file, one of them at an offset that is not a multiple of 4 (read by copying, not in place).
Run it from this folder: /usr/bin/python3 external.py
"""
import json

import numpy as np

rng = np.random.default_rng(20261124)
blob = bytearray()
tensors = {}


def put(name, shape, bound, pad=0):
    """Appends a tensor after `pad` bytes of zeros; returns its "file" reference."""
    blob.extend(b"\0" * pad)
    values = rng.uniform(-bound, bound, size=shape).astype("<f4")
    offset = len(blob)
    blob.extend(values.tobytes())
    return {"shape": list(shape), "dtype": "f32", "file": "external.weights.bin", "offset": offset}


inputs, hidden, outputs = 40, 300, 10
description = {
    "format": "netgen/1",
    "description": "Weights in a file beside the description (external.weights.bin): 40-300-10 with a norm and a residual block.",
    "input": inputs,
    "layers": [
        {"op": "layer_norm", "weight": put("gamma", [inputs], 1.5, pad=2), "bias": put("beta", [inputs], 0.5, pad=2)},
        {"op": "linear", "out": hidden, "weight": put("w1", [hidden, inputs], inputs ** -0.5), "bias": put("b1", [hidden], inputs ** -0.5), "activation": "gelu"},
        {"op": "residual", "layers": [
            {"op": "rms_norm", "weight": put("rms", [hidden], 1.0)},
            {"op": "swiglu", "hidden": 64, "gate": put("gate", [64, hidden], hidden ** -0.5), "up": put("up", [64, hidden], hidden ** -0.5),
             "down": put("down", [hidden, 64], 64 ** -0.5)},
        ]},
        {"op": "linear", "out": outputs, "weight": put("w2", [outputs, hidden], hidden ** -0.5), "bias": [0.5, -0.5, 0.25, -0.25, 0, 0.1, -0.1, 0.2, -0.2, 0], "activation": "log_softmax"},
    ],
}

with open("external.weights.bin", "wb") as f:
    f.write(blob)
# One layer per line, as the other test networks are written.
layers = ",\n".join("    " + json.dumps(layer) for layer in description.pop("layers"))
head = json.dumps(description, indent=2)[:-2]
with open("external.netgen.json", "w") as f:
    f.write(head + ',\n  "layers": [\n' + layers + "\n  ]\n}\n")
