#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""PyTorch reference for Tessera's MLP training benchmark.

Measures the throughput of full training steps (zero_grad, forward, MSE loss,
backward, Adam step) of a plain MLP in float32 with TF32 disabled, on data that
already sits on the device. Tessera's benchmark matches it: same layer widths,
batch sizes, ReLU between layers and a linear output, mean MSE loss, Adam
(lr 1e-3, betas (0.9, 0.999), eps 1e-8), float32 with TF32 off.

  small: 64-256-256-1        batch 1024
  large: 1024-4096-4096-1024 batch 8192

Usage: python3 perf/nn/torch_mlp.py [--model small|large|all] [--steps N]
  [--warmup N] [--device cuda|cpu] [--threads N] [--compile] [--json PATH]
Modes: "eager", and with --compile also "compile" (torch.compile on the model;
the Adam step stays eager, using PyTorch's default foreach implementation).
"""
import argparse
import json
import platform
import time

import torch
import torch.nn as nn

MODELS = {  # name: (layer widths, batch, default timed steps)
    "small": ([64, 256, 256, 1], 1024, 200),
    "large": ([1024, 4096, 4096, 1024], 8192, 50),
}
N_BATCHES = 16  # batches of synthetic data resident on the device
SEED = 1234


def model_flops(layers, batch):
    """FLOPs per training step.

    Nominal count: 6 * batch * sum(in*out): per weight and sample, forward 2
    (multiply-add), backward 4 (2 for the weight gradient, 2 for the input
    gradient). The first layer's input gradient is not needed, so the exact
    count is lower: forward 2*in*out, weight grad 2*in*out, input grad 2*in*out
    except for the first layer. Biases, activations, loss and Adam are ignored.
    """
    pairs = list(zip(layers[:-1], layers[1:]))
    nominal = 6 * batch * sum(i * o for i, o in pairs)
    exact = batch * sum((4 if k == 0 else 6) * i * o for k, (i, o) in enumerate(pairs))
    return nominal, exact


def build_mlp(layers):
    mods = []
    for k, (i, o) in enumerate(zip(layers[:-1], layers[1:])):
        mods.append(nn.Linear(i, o))
        if k < len(layers) - 2:  # no activation after the last layer
            mods.append(nn.ReLU())
    return nn.Sequential(*mods)


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def bench(name, mode, args, device):
    layers, batch, default_steps = MODELS[name]
    steps = args.steps if args.steps is not None else default_steps
    torch.manual_seed(SEED)
    model = build_mlp(layers).to(device=device, dtype=torch.float32)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    fwd = torch.compile(model) if mode == "compile" else model
    # Synthetic data generated once on the device; step k uses batch k % N_BATCHES.
    x = torch.randn(N_BATCHES, batch, layers[0], device=device, dtype=torch.float32)
    y = torch.randn(N_BATCHES, batch, layers[-1], device=device, dtype=torch.float32)

    def step(k):
        b = k % N_BATCHES
        opt.zero_grad(set_to_none=True)
        loss = nn.functional.mse_loss(fwd(x[b]), y[b], reduction="mean")
        loss.backward()
        opt.step()
        return loss

    for k in range(args.warmup):  # includes compilation for mode "compile"
        step(k)
    sync(device)
    t0 = time.perf_counter()
    for k in range(args.warmup, args.warmup + steps):
        loss = step(k)
    sync(device)
    elapsed = time.perf_counter() - t0

    nominal, exact = model_flops(layers, batch)
    dev_name = (torch.cuda.get_device_name(device) if device.type == "cuda"
                else platform.processor() or platform.machine())
    return {
        "framework": "pytorch", "torch_version": torch.__version__, "mode": mode,
        "model": name, "layers": layers, "batch": batch, "steps": steps, "warmup": args.warmup,
        "samples_per_s": steps * batch / elapsed, "steps_per_s": steps / elapsed,
        "ms_per_step": 1e3 * elapsed / steps,
        "tflops": nominal * steps / elapsed / 1e12,
        "tflops_exact": exact * steps / elapsed / 1e12,
        "flops_per_step": nominal, "flops_per_step_exact": exact,
        "final_loss": float(loss.item()), "threads": torch.get_num_threads(),
        "device": dev_name, "dtype": "float32", "tf32": False,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", choices=["small", "large", "all"], default="all")
    p.add_argument("--steps", type=int, help="timed steps (default 200 small, 50 large)")
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--device", choices=["cuda", "cpu"],
                   default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (cpu)")
    p.add_argument("--compile", action="store_true", help="also measure torch.compile")
    p.add_argument("--json", default=None, help="write the list of records here")
    p.add_argument("--dtype", choices=["float32"], default="float32")
    args = p.parse_args()
    if args.steps is not None and args.steps < 1:
        p.error("--steps must be >= 1")

    # Strict float32: no TF32 anywhere.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    if args.device == "cpu" and args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)

    names = list(MODELS) if args.model == "all" else [args.model]
    modes, records = ["eager", "compile"] if args.compile else ["eager"], []
    print(f"torch {torch.__version__}, device {args.device}, float32, TF32 off")
    print(f"{'model':6} {'mode':8} {'batch':>6} {'steps':>6} {'samples/s':>12} "
          f"{'steps/s':>9} {'ms/step':>9} {'TFLOP/s':>8} {'exact':>8}")
    for name in names:
        for mode in modes:
            r = bench(name, mode, args, device)
            records.append(r)
            print(f"{name:6} {mode:8} {r['batch']:6d} {r['steps']:6d} "
                  f"{r['samples_per_s']:12.0f} {r['steps_per_s']:9.2f} "
                  f"{r['ms_per_step']:9.3f} {r['tflops']:8.2f} {r['tflops_exact']:8.2f}",
                  flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(records, f, indent=2)


if __name__ == "__main__":
    main()
