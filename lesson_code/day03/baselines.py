"""Count-based baselines for the char-LM: unigram and bigram cross-entropy on validation text.

Both are estimated on the training ids with add-alpha (Lidstone) smoothing, so a character never
seen in training still gets probability > 0, and scored on the validation ids in nats/char.
A model that does not beat the bigram has learned little beyond character pair statistics.
"""

from __future__ import annotations

import torch


def _check(train_ids: torch.Tensor, val_ids: torch.Tensor, vocab_size: int, alpha: float) -> None:
    if not alpha > 0:
        raise ValueError(f"alpha must be > 0, got {alpha}")
    for name, ids in (("train_ids", train_ids), ("val_ids", val_ids)):
        if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= vocab_size):
            raise ValueError(f"{name} has ids outside [0, {vocab_size})")


def unigram_nats(train_ids: torch.Tensor, val_ids: torch.Tensor, vocab_size: int, alpha: float = 1.0) -> float:
    """Mean -log p(c) over val_ids (N,), p(c) = (count(c) + alpha) / (N_train + alpha V)."""
    _check(train_ids, val_ids, vocab_size, alpha)
    if val_ids.numel() < 1:
        raise ValueError("val_ids is empty")
    counts = torch.bincount(train_ids.reshape(-1), minlength=vocab_size).double() + alpha
    logp = counts.log() - counts.sum().log()
    return -logp[val_ids.reshape(-1)].mean().item()


def bigram_nats(train_ids: torch.Tensor, val_ids: torch.Tensor, vocab_size: int, alpha: float = 0.1) -> float:
    """Mean -log p(c_t | c_{t-1}) over val_ids[1:], p = (count(a, b) + alpha) / (count(a, .) + alpha V)."""
    _check(train_ids, val_ids, vocab_size, alpha)
    if val_ids.numel() < 2:
        raise ValueError("val_ids needs at least 2 ids for a bigram score")
    tr = train_ids.reshape(-1)
    pairs = tr[:-1] * vocab_size + tr[1:]
    counts = torch.bincount(pairs, minlength=vocab_size * vocab_size).double().view(vocab_size, vocab_size) + alpha
    logp = counts.log() - counts.sum(dim=1, keepdim=True).log()  # row a: log p(. | a)
    va = val_ids.reshape(-1)
    return -logp[va[:-1], va[1:]].mean().item()
