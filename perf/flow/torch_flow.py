#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""PyTorch reference for Tessera's normalizing-flow benchmark (perf/flow).

The flow of Albergo, Kanwar and Shanahan's 2021 tutorial (arXiv:2101.08176),
written as the tutorial writes it: a unit-Gaussian prior, real-NVP affine
coupling layers with checkerboard masks of alternating parity, coupling networks
Conv2d(1 -> 8 -> 8 -> 2, kernel 3, padding_mode="circular") with LeakyReLU
between and Tanh after the last, for 2-D phi^4 (m^2 = -4, lambda = 8), float32
with TF32 off, Adam (lr 1e-3). Tessera's benchmark matches it layer for layer.

  train:  one step = draw the prior batch, flow it, the action, the reverse-KL
          loss mean(log q + S), backward, Adam step
  sample: one batch = draw, flow and log q under torch.no_grad()

Usage: python3 perf/flow/torch_flow.py [--sizes 8,16] [--batches 64,1024]
  [--layers 16] [--steps N] [--warmup N] [--device cuda|cpu] [--threads N]
  [--json PATH]
"""
import argparse
import json
import math
import platform
import time

import torch
import torch.nn as nn


def checker_mask(L, parity, device):
    x, y = torch.meshgrid(torch.arange(L), torch.arange(L), indexing="ij")
    # 1 (frozen) where (x + y) % 2 != parity, as the tutorial's make_checker_mask
    return (((x + y) % 2) != parity).to(device=device, dtype=torch.float32)


class AffineCoupling(nn.Module):
    def __init__(self, net, mask):
        super().__init__()
        self.net, self.mask = net, mask

    def forward(self, x):
        frozen = self.mask * x
        out = self.net(frozen.unsqueeze(1))
        s, t = out[:, 0], out[:, 1]
        active = 1 - self.mask
        fx = active * t + (1 - self.mask) * x * torch.exp(s) + frozen
        return fx, torch.sum(active * s, dim=(1, 2))


def conv_net(hidden, kernel):
    sizes, mods = [1] + hidden + [2], []
    for i in range(len(sizes) - 1):
        mods.append(nn.Conv2d(sizes[i], sizes[i + 1], kernel, padding=kernel // 2,
                              stride=1, padding_mode="circular"))
        mods.append(nn.LeakyReLU() if i != len(sizes) - 2 else nn.Tanh())
    return nn.Sequential(*mods)


def phi4_action(phi, m2, lam):
    kinetic = 0
    for mu in (1, 2):
        kinetic = kinetic + 2 * phi ** 2 - phi * torch.roll(phi, -1, mu) - phi * torch.roll(phi, 1, mu)
    return torch.sum(kinetic + m2 * phi ** 2 + lam * phi ** 4, dim=(1, 2))


def build(L, layers, hidden, kernel, device):
    return nn.ModuleList([AffineCoupling(conv_net(hidden, kernel), checker_mask(L, i % 2, device))
                          for i in range(layers)]).to(device)


def flow(model, batch, L, device):
    z = torch.randn(batch, L, L, device=device)
    logq = torch.sum(-0.5 * z ** 2, dim=(1, 2)) - 0.5 * L * L * math.log(2 * math.pi)
    x = z
    for layer in model:
        x, logj = layer(x)
        logq = logq - logj
    return x, logq


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def bench(L, batch, args, device):
    torch.manual_seed(1234)
    model = build(L, args.layers, [8, 8], 3, device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def train_step():
        opt.zero_grad(set_to_none=True)
        x, logq = flow(model, batch, L, device)
        loss = torch.mean(logq + phi4_action(x, -4.0, 8.0))
        loss.backward()
        opt.step()
        return loss

    for _ in range(args.warmup):
        train_step()
    sync(device)
    t0 = time.perf_counter()
    for _ in range(args.steps):
        loss = train_step()
    sync(device)
    train_s = (time.perf_counter() - t0) / args.steps
    with torch.no_grad():
        for _ in range(args.warmup):
            flow(model, batch, L, device)
        sync(device)
        t0 = time.perf_counter()
        for _ in range(args.steps):
            x, logq = flow(model, batch, L, device)
            phi4_action(x, -4.0, 8.0)
        sync(device)
        sample_s = (time.perf_counter() - t0) / args.steps
    dev_name = (torch.cuda.get_device_name(device) if device.type == "cuda"
                else platform.processor() or platform.machine())
    return {
        "framework": "pytorch", "torch_version": torch.__version__, "mode": "eager",
        "theory": "phi4", "L": L, "coupling_layers": args.layers, "hidden": [8, 8], "kernel": 3,
        "batch": batch, "steps": args.steps, "warmup": args.warmup,
        "train_samples_per_s": batch / train_s, "train_ms_per_step": 1e3 * train_s,
        "sample_samples_per_s": batch / sample_s, "sample_ms_per_batch": 1e3 * sample_s,
        "final_loss": float(loss.item()), "threads": torch.get_num_threads(),
        "device": dev_name, "dtype": "float32", "tf32": False,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="8,16")
    p.add_argument("--batches", default="64,1024")
    p.add_argument("--layers", type=int, default=16)
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--device", choices=["cuda", "cpu"],
                   default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--json", default=None)
    args = p.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    if args.device == "cpu" and args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    records = []
    print(f"torch {torch.__version__}, device {args.device}, float32, TF32 off")
    print(f"{'L':>3} {'batch':>6} {'train samples/s':>16} {'ms/step':>9} {'sample samples/s':>17}")
    for L in [int(s) for s in args.sizes.split(",")]:
        for batch in [int(b) for b in args.batches.split(",")]:
            r = bench(L, batch, args, device)
            records.append(r)
            print(f"{L:3d} {batch:6d} {r['train_samples_per_s']:16.0f} {r['train_ms_per_step']:9.3f} "
                  f"{r['sample_samples_per_s']:17.0f}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(records, f, indent=2)


if __name__ == "__main__":
    main()
