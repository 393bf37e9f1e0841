#!/usr/bin/python3
"""One training step in PyTorch eager, one thread, timed as TrainingBenchmarks times NetGen's:
forward, cross-entropy from logits, zero_grad, backward (no input gradient), Adam.

    /usr/bin/python3 benchmarks/pytorch/training_step.py

Prints the median of 15 runs of a loop over many steps, per step, after a warm-up, and what
torch.__config__ says of its BLAS (Debian's torch uses a generic one: its large-layer time is no
bar for PyTorch with MKL or OpenBLAS).
"""
import statistics
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)


def step_time(sizes, rows, steps):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(rows, sizes[0])
    labels = torch.arange(rows) * 7 % sizes[-1]

    def step():
        logits = model(x)
        loss = F.cross_entropy(logits, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    for _ in range(steps):
        step()
    runs = []
    for _ in range(15):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        runs.append((time.perf_counter() - start) / steps)
    return statistics.median(runs)


blas = [line.strip() for line in torch.__config__.show().splitlines() if "BLAS_INFO" in line]
print(f"torch {torch.__version__}, 1 thread; {blas[0] if blas else ''}")
for name, sizes, rows, steps in (("784-128-64-10, batch 32", (784, 128, 64, 10), 32, 200), ("64-32-16-10 (digits), batch 64", (64, 32, 16, 10), 64, 1000)):
    print(f"{name}: {step_time(sizes, rows, steps) * 1e6:.1f} us a step")
