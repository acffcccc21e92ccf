"""Generating text from a trained char-LM: temperature, top-k, greedy, and scoring text.

Temperature T divides the logits before the softmax: p_i ∝ exp(z_i / T). As T -> 0 all the mass
goes to the largest logit (greedy argmax; a runner-up at gap d keeps probability about
exp(-d / T)); T = 1 samples the model's own distribution; as T -> infinity the distribution
becomes uniform over the vocabulary. T must be > 0: for exactly-greedy decoding use
:func:`greedy` or ``top_k=1``.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn

from .data import Vocab


def check_temperature(temperature: float) -> float:
    """Return ``temperature`` as float if it is finite and > 0, else raise ValueError."""
    t = float(temperature)
    if not (t > 0 and math.isfinite(t)):
        raise ValueError(
            f"temperature must be a finite number > 0, got {temperature} "
            "(temperature -> 0 approaches greedy decoding: use top-k 1 for exact argmax)"
        )
    return t


def _check_args(prompt: str, length: int, top_k: int | None) -> None:
    if not isinstance(prompt, str) or len(prompt) == 0:
        raise ValueError("prompt must be at least one character (the model needs something to condition on)")
    if int(length) != length or length < 0:
        raise ValueError(f"length must be an integer >= 0, got {length}")
    if top_k is not None and (int(top_k) != top_k or top_k < 1):
        raise ValueError(f"top_k must be an integer >= 1, got {top_k}")


# --8<-- [start:distribution]
def next_char_distribution(logits: torch.Tensor, temperature: float = 1.0,
                           top_k: int | None = None) -> torch.Tensor:
    """logits (..., V) -> probabilities (..., V) in float64 after top-k filtering and temperature."""
    t = check_temperature(temperature)
    z = logits.detach().to(torch.float64)
    if top_k is not None and top_k < z.size(-1):
        kth = torch.topk(z, int(top_k), dim=-1).values[..., -1:]  # (..., 1)
        z = z.masked_fill(z < kth, float("-inf"))  # ties with the k-th logit are kept
    return torch.softmax(z / t, dim=-1)
# --8<-- [end:distribution]


def next_char_entropy(logits: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """logits (..., V) -> entropy (...,) in nats of softmax(logits / temperature)."""
    t = check_temperature(temperature)
    logp = torch.log_softmax(logits.detach().to(torch.float64) / t, dim=-1)
    return -(logp.exp() * logp).sum(-1)


def _model_device(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


# --8<-- [start:generate]
@torch.no_grad()
def _generate(model: nn.Module, vocab: Vocab, prompt: str, length: int, pick) -> str:
    """Feed the prompt, then ``length`` times append pick(last logits (V,)) -> id and feed it back."""
    ids = vocab.encode(prompt)  # ValueError naming unknown characters
    device = _model_device(model)
    was_training = model.training
    model.eval()
    try:
        logits, states = model(ids.view(1, -1).to(device))
        out: list[int] = []
        for _ in range(length):
            nxt = int(pick(logits[0, -1]))
            out.append(nxt)
            logits, states = model(torch.tensor([[nxt]], device=device), states)
    finally:
        model.train(was_training)
    return prompt + vocab.decode(out)


def sample(model: nn.Module, vocab: Vocab, prompt: str, length: int, temperature: float = 1.0,
           top_k: int | None = None, seed: int = 0) -> str:
    """prompt + ``length`` sampled characters; same seed, same text (own torch.Generator).

    temperature must be > 0 (ValueError otherwise); top_k keeps the k largest logits (None: all).
    A prompt character outside the vocabulary raises ValueError naming it.
    """
    _check_args(prompt, length, top_k)
    check_temperature(temperature)
    gen = torch.Generator().manual_seed(int(seed))

    def pick(last_logits: torch.Tensor) -> int:
        probs = next_char_distribution(last_logits.cpu(), temperature, top_k)
        return int(torch.multinomial(probs, 1, generator=gen))

    return _generate(model, vocab, prompt, length, pick)
# --8<-- [end:generate]


def greedy(model: nn.Module, vocab: Vocab, prompt: str, length: int) -> str:
    """prompt + ``length`` characters, each the argmax of the model's next-character logits."""
    _check_args(prompt, length, None)
    return _generate(model, vocab, prompt, length, lambda z: int(torch.argmax(z)))


@torch.no_grad()
def sequence_log_likelihood(model: nn.Module, vocab: Vocab, text: str) -> float:
    """Mean log p(text[t] | text[:t]) over t = 1..len-1, in nats/char (<= 0; minus it is the loss)."""
    if len(text) < 2:
        raise ValueError("need at least 2 characters to score a text")
    ids = vocab.encode(text).view(1, -1).to(_model_device(model))
    was_training = model.training
    model.eval()
    try:
        logits, _ = model(ids[:, :-1])  # (1, N-1, V)
    finally:
        model.train(was_training)
    logp = torch.log_softmax(logits.to(torch.float64), dim=-1)
    return logp[0].gather(-1, ids[0, 1:].unsqueeze(-1)).mean().item()
