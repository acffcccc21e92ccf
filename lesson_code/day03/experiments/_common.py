"""Day 3's numeric helpers for gradient experiments: underflow-safe norms and geometric means.

The run plumbing every lesson shares (one thread, JSON checks, mean/std) is lessonkit's and is
re-exported here for the experiments that import it from this module.
"""
import math

import torch

from lesson_code.lessonkit.experiments import check_json, mean, single_thread, std  # noqa: F401


def safe_norm(g: torch.Tensor) -> float:
    """Euclidean norm of g as a Python float, computed in float64 and rescaled by max|g| first.
    torch's plain g.norm() squares the entries: in float32 a gradient of 1e-24 squares to 1e-48,
    below the smallest float32, and the norm reads 0.0 although no entry is zero."""
    g = g.detach().double().flatten()
    m = g.abs().max()
    if m == 0:
        return 0.0
    return float(m * (g / m).norm())


def geomean(values) -> float:
    """Geometric mean of non-negative floats; 0.0 if any is 0 (a gradient that underflowed)."""
    values = list(values)
    if any(v == 0.0 for v in values):
        return 0.0
    return math.exp(sum(math.log(v) for v in values) / len(values))


def geomean_columns(rows):
    """Column-wise geometric mean of a list of equal-length lists of floats."""
    return [geomean(col) for col in zip(*rows)]
