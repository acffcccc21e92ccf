"""Shared plumbing for the experiments: single-threaded determinism, safe norms, JSON-safe results.

Every experiment runs with torch.set_num_threads(1) (restored afterwards): the matrices are tiny, so
one thread is as fast, two experiments can run side by side on two cores, and reductions happen in
one fixed order, so the same seed gives the same numbers whatever the machine's core count.
"""
import contextlib
import math

import torch


@contextlib.contextmanager
def single_thread():
    """Run the block with one intra-op thread; restore the previous count afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


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


def mean(values) -> float:
    values = list(values)
    return float(sum(values) / len(values))


def std(values) -> float:
    """Population standard deviation (ddof=0) of a list of floats."""
    values = list(values)
    m = mean(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / len(values))


def check_json(obj, path="result"):
    """Raise TypeError/ValueError unless obj is plain JSON data with finite floats
    (the results never contain inf or nan: an underflowed gradient is stored as 0.0)."""
    if isinstance(obj, bool) or obj is None or isinstance(obj, (int, str)):
        return
    if isinstance(obj, float):
        if not math.isfinite(obj):
            raise ValueError(f"{path} is {obj}: not representable in JSON")
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            if not isinstance(k, str):
                raise TypeError(f"{path} has a non-string key {k!r}")
            check_json(v, f"{path}[{k!r}]")
        return
    if isinstance(obj, list):
        for i, v in enumerate(obj):
            check_json(v, f"{path}[{i}]")
        return
    raise TypeError(f"{path} has type {type(obj).__name__}, not plain JSON data")
