"""Generating text from a trained char-LM: temperature, top-k, greedy, and scoring text.

Temperature T divides the logits before the softmax: p_i ∝ exp(z_i / T). As T -> 0 all the mass
goes to the largest logit (greedy argmax; a runner-up at gap d keeps probability about
exp(-d / T)); T = 1 samples the model's own distribution; as T -> infinity the distribution
becomes uniform over the vocabulary. T must be > 0: for exactly-greedy decoding use
:func:`greedy` or ``top_k=1``.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from lesson_code.lessonkit.decoding import (check_temperature, check_top_k, entropy, evaluating, model_device,
                                             next_token_distribution)

from .data import Vocab


def _check_args(prompt: str, length: int, top_k: int | None) -> None:
    if not isinstance(prompt, str) or len(prompt) == 0:
        raise ValueError("prompt must be at least one character (the model needs something to condition on)")
    if int(length) != length or length < 0:
        raise ValueError(f"length must be an integer >= 0, got {length}")
    check_top_k(top_k)


next_char_distribution = next_token_distribution  # Day 3 draws characters: its name for the same function
next_char_entropy = entropy


# --8<-- [start:generate]
def _generate(model: nn.Module, vocab: Vocab, prompt: str, length: int, pick) -> str:
    """Feed the prompt, then ``length`` times append pick(last logits (V,)) -> id and feed it back."""
    ids = vocab.encode(prompt)  # ValueError naming unknown characters
    device = model_device(model)
    with evaluating(model):  # eval mode (no dropout), no gradients; the previous mode restored after
        logits, states = model(ids.view(1, -1).to(device))
        out: list[int] = []
        for _ in range(length):
            nxt = int(pick(logits[0, -1]))
            out.append(nxt)
            logits, states = model(torch.tensor([[nxt]], device=device), states)
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
        probs = next_token_distribution(last_logits.cpu(), temperature, top_k)
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
    ids = vocab.encode(text).view(1, -1).to(model_device(model))
    with evaluating(model):
        logits, _ = model(ids[:, :-1])  # (1, N-1, V)
    logp = torch.log_softmax(logits.to(torch.float64), dim=-1)
    return logp[0].gather(-1, ids[0, 1:].unsqueeze(-1)).mean().item()
