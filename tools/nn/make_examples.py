#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the example data sets of inputs/nn/ (standard library only, fixed seed).

  sine.csv   regression: y = sin(x0) cos(x1) + 0.1 x0 on [-pi, pi]^2, 2000 samples
  rings.csv  classification: 3 noisy concentric rings in the plane, 1500 samples, label 0..2

Run from the repository root: python3 tools/nn/make_examples.py
"""
import math
import random

random.seed(2026)

with open("inputs/nn/sine.csv", "w") as out:
    out.write("x0,x1,y\n")
    for _ in range(2000):
        x0, x1 = random.uniform(-math.pi, math.pi), random.uniform(-math.pi, math.pi)
        out.write(f"{x0:.6f},{x1:.6f},{math.sin(x0) * math.cos(x1) + 0.1 * x0:.6f}\n")

with open("inputs/nn/rings.csv", "w") as out:
    out.write("x0,x1,label\n")
    for k in range(1500):
        label = k % 3
        radius = 1.0 + label + random.gauss(0.0, 0.15)
        angle = random.uniform(0.0, 2.0 * math.pi)
        out.write(f"{radius * math.cos(angle):.6f},{radius * math.sin(angle):.6f},{label}\n")
