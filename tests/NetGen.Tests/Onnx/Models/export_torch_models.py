"""Writes the PyTorch-exported ONNX models the ONNX tests and the OnnxDigits sample read.

Run with Debian's python3-torch (1.13) and python3-onnx:  /usr/bin/python3 export_torch_models.py
Every file is written with torch.onnx.export at opset 17 with a dynamic batch axis, as a
user would, and kept in the repository so the tests need no Python.
"""
import json
import os

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
torch.manual_seed(20261124)


class Residual(nn.Module):
    def __init__(self, *layers):
        super().__init__()
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.body(x)


def export(model, example, path, batch_axes):
    model.eval()
    torch.onnx.export(
        model, example, path, opset_version=17,
        input_names=["x"], output_names=["y"],
        dynamic_axes={"x": batch_axes, "y": batch_axes})


# The ops the importer reads, as PyTorch 1.13 exports them: Flatten, Gemm (Linear on a matrix),
# BatchNormalization, the Erf form of GELU, Dropout (removed by the export), residual Adds
# (nested), LayerNormalization, Mul(x, Sigmoid(x)) for SiLU, LeakyRelu, Tanh, Sigmoid, a Linear
# without bias (MatMul) and LogSoftmax. The second model covers MatMul + Add, ReLU and Softmax.
block = nn.Sequential(
    nn.Flatten(),
    nn.Linear(12, 16),
    nn.BatchNorm1d(16),
    nn.GELU(),
    nn.Dropout(0.1),
    Residual(nn.LayerNorm(16), nn.Linear(16, 32), nn.SiLU(), nn.Linear(32, 16)),
    Residual(nn.Linear(16, 16), nn.Tanh(), Residual(nn.Linear(16, 16, bias=False), nn.Sigmoid())),
    nn.Linear(16, 8),
    nn.LeakyReLU(0.2),
    nn.Linear(8, 5),
    nn.LogSoftmax(dim=-1),
)
with torch.no_grad():
    block[2].running_mean.uniform_(-0.5, 0.5)
    block[2].running_var.uniform_(0.5, 2.0)
    block[2].weight.uniform_(0.5, 1.5)
    block[2].bias.uniform_(-0.5, 0.5)
block.eval()
inputs = torch.rand(8, 3, 4) * 6 - 3
export(block, inputs, os.path.join(HERE, "torch-block.onnx"), {0: "batch"})

# A Linear on a rank-3 batch exports as MatMul then Add; softmax over the last axis.
sequence = nn.Sequential(nn.Linear(6, 10), nn.ReLU(), nn.Linear(10, 4), nn.Softmax(dim=-1))
sequence.eval()
sequence_inputs = torch.rand(2, 3, 6) * 6 - 3
export(sequence, sequence_inputs, os.path.join(HERE, "torch-sequence.onnx"), {0: "batch", 1: "time"})

with torch.no_grad():
    expected = {
        "torch-block.onnx": {"input": inputs.reshape(8, -1).tolist(), "output": block(inputs).tolist()},
        "torch-sequence.onnx": {"input": sequence_inputs.reshape(6, -1).tolist(), "output": sequence(sequence_inputs).reshape(6, -1).tolist()},
    }
with open(os.path.join(HERE, "torch-expected.json"), "w") as f:
    json.dump({"torch": torch.__version__, "models": expected}, f, indent=1)

# The OnnxDigits sample: the digits sample's trained 64-32-16-10 classifier, rebuilt in
# PyTorch from its description and exported, so the sample runs the ONNX path end to end.
with open(os.path.join(ROOT, "samples", "Digits", "Models", "digits.netgen.json")) as f:
    description = json.load(f)
linears = [l for l in description["layers"] if l["op"] == "linear"]
digits = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 10), nn.Softmax(dim=-1))
with torch.no_grad():
    for module, layer in zip([digits[0], digits[2], digits[4]], linears):
        module.weight.copy_(torch.tensor(layer["weight"]))
        module.bias.copy_(torch.tensor(layer["bias"]))
export(digits, torch.zeros(1, 64), os.path.join(ROOT, "samples", "OnnxDigits", "Models", "digits.onnx"), {0: "batch"})


# Shape plumbing as opset 9 exports it: x.view(x.size(0), -1) becomes Shape, Gather,
# Unsqueeze, Concat and Reshape; unsqueeze(1) then squeeze(1) around a layer adds and removes a
# batch axis. Checked against ONNX Runtime (no expected outputs are written for it).
class Plumbing(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = nn.Linear(6, 8)
        self.second = nn.Linear(8, 3)

    def forward(self, x):
        h = torch.relu(self.first(x.view(x.size(0), -1)))
        return self.second(h.unsqueeze(1)).squeeze(1)


plumbing = Plumbing().eval()
torch.onnx.export(plumbing, torch.rand(2, 6), os.path.join(HERE, "torch-plumbing-opset9.onnx"), opset_version=9,
                  input_names=["x"], output_names=["y"], dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
