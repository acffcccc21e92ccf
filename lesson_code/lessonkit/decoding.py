"""Decoding helpers every generating model shares: temperature, top-k and an eval-mode context.

Temperature T divides the logits before the softmax: p_i ∝ exp(z_i / T). As T -> 0 all the mass
goes to the largest logit (a runner-up at gap d keeps probability about exp(-d / T)); T = 1 is the
model's own distribution; as T -> infinity it becomes uniform. T must be > 0: for exact argmax
use greedy decoding or ``top_k=1``.
"""

from __future__ import annotations

import contextlib
import math

import torch
import torch.nn as nn


def check_temperature(temperature: float) -> float:
    """Return ``temperature`` as float if it is finite and > 0, else raise ValueError."""
    t = float(temperature)
    if not (t > 0 and math.isfinite(t)):
        raise ValueError(
            f"temperature must be a finite number > 0, got {temperature} "
            "(temperature -> 0 approaches greedy decoding: use top-k 1 for exact argmax)"
        )
    return t


def check_top_k(top_k: int | None) -> None:
    """ValueError unless ``top_k`` is None or an integer >= 1."""
    if top_k is not None and (int(top_k) != top_k or top_k < 1):
        raise ValueError(f"top_k must be an integer >= 1, got {top_k}")


# --8<-- [start:distribution]
def next_token_distribution(logits: torch.Tensor, temperature: float = 1.0,
                            top_k: int | None = None) -> torch.Tensor:
    """logits (..., V) -> probabilities (..., V) in float64 after top-k filtering and temperature."""
    t = check_temperature(temperature)
    z = logits.detach().to(torch.float64)
    if top_k is not None and top_k < z.size(-1):
        kth = torch.topk(z, int(top_k), dim=-1).values[..., -1:]  # (..., 1)
        z = z.masked_fill(z < kth, float("-inf"))  # ties with the k-th logit are kept
    return torch.softmax(z / t, dim=-1)
# --8<-- [end:distribution]


def entropy(logits: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """logits (..., V) -> entropy (...,) in nats of softmax(logits / temperature)."""
    t = check_temperature(temperature)
    logp = torch.log_softmax(logits.detach().to(torch.float64) / t, dim=-1)
    return -(logp.exp() * logp).sum(-1)


def model_device(model: nn.Module) -> torch.device:
    """The device of the model's first parameter."""
    return next(model.parameters()).device


@contextlib.contextmanager
def evaluating(model: nn.Module):
    """``with evaluating(model):`` eval mode and no gradients inside, the previous mode restored after."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield model
    finally:
        model.train(was_training)
