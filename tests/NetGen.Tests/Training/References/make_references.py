#!/usr/bin/python3
"""Writes the PyTorch references the training tests compare with (run with Debian's python3-torch).

- autograd-*.json: networks of every op of netgen/1 built as torch modules, their description
  (the module's float32 weights), inputs, output gradients, and torch's float64 autograd
  gradients of every parameter and of the inputs.
- optimizers.json: parameter trajectories of torch.optim (SGD, Adam, AdamW) on float32 tensors,
  under the gradient of sum((p - target)^2), which each step recomputes from p.
- losses.json: F.mse_loss, F.cross_entropy and F.binary_cross_entropy_with_logits, their values
  and gradients.

    /usr/bin/python3 tests/NetGen.Tests/Training/References/make_references.py
"""
import base64
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(20261202)


def tensor(t):
    a = t.detach().to(torch.float32).numpy().astype("<f4")
    return {"shape": list(a.shape), "dtype": "f32", "base64": base64.b64encode(a.tobytes()).decode("ascii")}


class Linear(torch.nn.Module):
    def __init__(self, n, m, bias=True, activation=None):
        super().__init__()
        self.layer = torch.nn.Linear(n, m, bias=bias)
        self.activation = activation

    def forward(self, x):
        y = self.layer(x)
        return ACTIVATIONS[self.activation](y) if self.activation else y

    def describe(self):
        d = {"op": "linear", "out": self.layer.out_features, "weight": tensor(self.layer.weight)}
        if self.layer.bias is not None:
            d["bias"] = tensor(self.layer.bias)
        if self.activation:
            d["activation"] = self.activation
        return d

    def named(self, number):
        names = [(number + ".weight", self.layer.weight)]
        if self.layer.bias is not None:
            names.append((number + ".bias", self.layer.bias))
        return names


ACTIVATIONS = {
    "relu": F.relu,
    "gelu": F.gelu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "silu": F.silu,
    "softmax": lambda x: F.softmax(x, dim=-1),
    "log_softmax": lambda x: F.log_softmax(x, dim=-1),
    "identity": lambda x: x,
}


class Activation(torch.nn.Module):
    def __init__(self, op, **keys):
        super().__init__()
        self.op, self.keys = op, keys

    def forward(self, x):
        if self.op == "leaky_relu":
            return F.leaky_relu(x, self.keys.get("alpha", 0.01))
        if self.op == "gelu" and self.keys.get("approximate") == "tanh":
            return F.gelu(x, approximate="tanh")
        if self.op == "dropout":
            return x
        return ACTIVATIONS[self.op](x)

    def describe(self):
        return dict({"op": self.op}, **self.keys)

    def named(self, number):
        return []


class LayerNorm(torch.nn.Module):
    def __init__(self, n, affine=True):
        super().__init__()
        self.norm = torch.nn.LayerNorm(n, elementwise_affine=affine)
        if affine:
            with torch.no_grad():
                self.norm.weight.uniform_(0.5, 1.5)
                self.norm.bias.uniform_(-0.5, 0.5)

    def forward(self, x):
        return self.norm(x)

    def describe(self):
        d = {"op": "layer_norm", "eps": self.norm.eps}
        if self.norm.weight is not None:
            d["weight"], d["bias"] = tensor(self.norm.weight), tensor(self.norm.bias)
        return d

    def named(self, number):
        return [] if self.norm.weight is None else [(number + ".weight", self.norm.weight), (number + ".bias", self.norm.bias)]


class RmsNorm(torch.nn.Module):
    """x / sqrt(mean(x^2) + eps) * weight (torch 1.13 has no nn.RMSNorm)."""

    def __init__(self, n, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = torch.nn.Parameter(torch.empty(n).uniform_(0.5, 1.5))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight

    def describe(self):
        return {"op": "rms_norm", "eps": self.eps, "weight": tensor(self.weight)}

    def named(self, number):
        return [(number + ".weight", self.weight)]


class BatchNorm(torch.nn.Module):
    def __init__(self, n):
        super().__init__()
        self.norm = torch.nn.BatchNorm1d(n)
        with torch.no_grad():
            self.norm.running_mean.uniform_(-1, 1)
            self.norm.running_var.uniform_(0.1, 2)
            self.norm.weight.uniform_(0.5, 1.5)
            self.norm.bias.uniform_(-0.5, 0.5)
        self.norm.eval()

    def forward(self, x):
        return self.norm(x)

    def describe(self):
        n = self.norm
        return {"op": "batch_norm", "eps": n.eps, "running_mean": tensor(n.running_mean), "running_var": tensor(n.running_var),
                "weight": tensor(n.weight), "bias": tensor(n.bias)}

    def named(self, number):
        return [(number + ".weight", self.norm.weight), (number + ".bias", self.norm.bias)]


class Residual(torch.nn.Module):
    def __init__(self, *layers):
        super().__init__()
        self.layers = torch.nn.ModuleList(layers)

    def forward(self, x):
        y = x
        for layer in self.layers:
            y = layer(y)
        return x + y

    def describe(self):
        return {"op": "residual", "layers": [l.describe() for l in self.layers]}

    def named(self, number):
        return [n for i, l in enumerate(self.layers) for n in l.named(f"{number}.{i}")]


class SwiGlu(torch.nn.Module):
    def __init__(self, n, hidden, out=None):
        super().__init__()
        self.gate = torch.nn.Linear(n, hidden, bias=False)
        self.up = torch.nn.Linear(n, hidden, bias=False)
        self.down = torch.nn.Linear(hidden, out or n, bias=False)
        self.out = out

    def forward(self, x):
        return self.down(F.silu(self.gate(x)) * self.up(x))

    def describe(self):
        d = {"op": "swiglu", "hidden": self.gate.out_features, "gate": tensor(self.gate.weight), "up": tensor(self.up.weight), "down": tensor(self.down.weight)}
        if self.out:
            d["out"] = self.out
        return d

    def named(self, number):
        return [(number + ".gate", self.gate.weight), (number + ".up", self.up.weight), (number + ".down", self.down.weight)]


def autograd(name, input_size, layers, rows=4):
    description = {"format": "netgen/1", "input": input_size, "layers": [l.describe() for l in layers]}
    model = torch.nn.Sequential(*layers).double()
    for layer in layers:
        layer.eval()
    x = (torch.rand(rows, input_size, dtype=torch.float32) * 6 - 3).double().requires_grad_(True)
    y = model(x)
    dy = (torch.rand(y.shape, dtype=torch.float32) * 2 - 1).double()
    y.backward(dy)
    parameters = [n for i, l in enumerate(layers) for n in l.named(str(i))]
    result = {
        "description": description,
        "rows": rows,
        "inputs": x.detach().float().flatten().tolist(),
        "outputs": y.detach().flatten().tolist(),
        "outputGradients": dy.float().flatten().tolist(),
        "inputGradients": x.grad.flatten().tolist(),
        "parameterGradients": {n: p.grad.flatten().tolist() for n, p in parameters},
    }
    with open(os.path.join(HERE, f"autograd-{name}.json"), "w") as f:
        json.dump(result, f)


def optimizers():
    p0 = (torch.rand(37) * 2 - 1)
    target = (torch.rand(37) * 2 - 1)
    cases = {
        "sgd": lambda p: torch.optim.SGD([p], lr=0.1),
        "sgd_momentum": lambda p: torch.optim.SGD([p], lr=0.05, momentum=0.9),
        "sgd_nesterov_decay": lambda p: torch.optim.SGD([p], lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
        "adam": lambda p: torch.optim.Adam([p], lr=1e-2),
        "adam_decay": lambda p: torch.optim.Adam([p], lr=1e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
        "adamw": lambda p: torch.optim.AdamW([p], lr=1e-2, weight_decay=0.1),
    }
    result = {"initial": p0.tolist(), "target": target.tolist(), "steps": 50, "trajectories": {}}
    for name, make in cases.items():
        p = torch.nn.Parameter(p0.clone())
        optimizer = make(p)
        after = {}
        for step in range(1, 51):
            optimizer.zero_grad()
            p.grad = 2 * (p.detach() - target)
            optimizer.step()
            if step in (1, 2, 10, 50):
                after[str(step)] = p.detach().tolist()
        result["trajectories"][name] = after
    with open(os.path.join(HERE, "optimizers.json"), "w") as f:
        json.dump(result, f)


def losses():
    logits = torch.rand(6, 5) * 8 - 4
    labels = torch.randint(0, 5, (6,))
    targets = torch.rand(6, 5)
    result = {"logits": logits.flatten().tolist(), "labels": labels.tolist(), "targets": targets.flatten().tolist()}
    for name, f in {
        "mse": lambda z: F.mse_loss(z, targets.double()),
        "cross_entropy": lambda z: F.cross_entropy(z, labels),
        "bce_with_logits": lambda z: F.binary_cross_entropy_with_logits(z, targets.double()),
    }.items():
        z = logits.double().clone().requires_grad_(True)
        loss = f(z)
        loss.backward()
        result[name] = {"loss": loss.item(), "gradient": z.grad.flatten().tolist()}
    with open(os.path.join(HERE, "losses.json"), "w") as f:
        json.dump(result, f)


autograd("mlp", 7, [Linear(7, 16, activation="relu"), Linear(16, 12, activation="gelu"), Activation("tanh"), Linear(12, 5, bias=False), Activation("log_softmax")])
autograd("block", 6, [
    Linear(6, 8, activation="silu"),
    Residual(LayerNorm(8), Linear(8, 8, activation="tanh"), Activation("dropout", p=0.1)),
    Residual(RmsNorm(8), SwiGlu(8, 12), Residual(Activation("leaky_relu", alpha=0.2), Linear(8, 8))),
    BatchNorm(8),
    Activation("gelu", approximate="tanh"),
    LayerNorm(8, affine=False),
    Linear(8, 4, activation="sigmoid"),
    SwiGlu(4, 6, out=3),
    Activation("softmax"),
])
optimizers()
losses()
