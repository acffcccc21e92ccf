"""Training the character-level language model: truncated BPTT chunks, the step, validation.

Losses are mean cross-entropy per predicted character in nats (natural log); bits/char is
nats/char divided by ln 2. A uniform guess over V characters costs ln V nats/char.

Keeping the best weights: validation runs every ``eval_every`` steps and at the end; the model
returned (and hence the checkpoint the CLI writes) holds the weights of the evaluation with the
lowest validation loss, so a run that starts to overfit late keeps its best point. The history
records every evaluation, so the whole curve is still visible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterator

import torch
import torch.nn as nn
import torch.nn.functional as F

from lesson_code.lessonkit.configs import DictConfig
from lesson_code.lessonkit.training import LR_SCHEDULES, check_budget, fit, lr_at, set_seed  # noqa: F401

from .data import bptt_batches
from .model import detach_states

LN2 = math.log(2.0)


def bits(nats: float) -> float:
    """nats/char -> bits/char."""
    return nats / LN2


@dataclass
class TrainConfig(DictConfig):
    """Optimisation settings; set ``steps``, ``minutes`` or both (training stops at the first)."""

    IGNORE_UNKNOWN = True  # checkpoints written by older versions may carry settings since removed

    batch_size: int = 32  # B parallel contiguous streams
    seq_len: int = 128  # T characters per truncated-BPTT chunk
    lr: float = 3e-3  # Adam learning rate (peak)
    lr_schedule: str = "cosine"  # "constant" or "cosine" decay to lr * min_lr_ratio over the budget
    min_lr_ratio: float = 0.1
    clip: float = 1.0  # max global gradient norm (clip_grad_norm_)
    steps: int | None = None
    minutes: float | None = None
    eval_every: int = 200  # steps between validations
    eval_tokens: int | None = None  # validate on this many leading val characters (None: all)
    eval_batch_size: int = 16  # streams used for validation
    # Probability that a training chunk starts from zero states instead of the carried state.
    # Without it the model almost never sees a zero state (only at epoch starts), so sampling
    # from a fresh prompt begins with junk; a few cold starts teach it to begin from nothing.
    reset_prob: float = 0.1
    seed: int = 0
    device: str = "cpu"

    def __post_init__(self):
        for name in ("batch_size", "seq_len", "eval_batch_size"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        check_budget(self)  # steps/minutes, eval_every, lr, clip, schedule: lessonkit's rules
        if self.eval_tokens is not None and self.eval_tokens < 2:
            raise ValueError(f"eval_tokens must be >= 2, got {self.eval_tokens}")
        if not 0.0 <= self.reset_prob <= 1.0:
            raise ValueError(f"reset_prob must be in [0, 1], got {self.reset_prob}")


@torch.no_grad()
def evaluate(model: nn.Module, ids: torch.Tensor, batch_size: int = 16, seq_len: int = 128,
             max_tokens: int | None = None) -> float:
    """Mean nats/char of the model on ids (N,), read as ``batch_size`` contiguous streams with the state carried."""
    if max_tokens is not None:
        ids = ids[:max_tokens]
    if ids.numel() < 2:
        raise ValueError("need at least 2 characters to evaluate")
    batch_size = max(1, min(batch_size, (ids.numel() - 1) // 2 or 1))
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    total, count, states = 0.0, 0, None
    try:
        for x, y in bptt_batches(ids, batch_size, seq_len):
            logits, states = model(x.to(device), states)
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.to(device).reshape(-1),
                                   reduction="sum")
            total += loss.item()
            count += y.numel()
    finally:
        model.train(was_training)
    return total / count


# --8<-- [start:train_step]
def train_step(model: nn.Module, opt: torch.optim.Optimizer, x, y, states, clip: float):
    """One truncated-BPTT step on a chunk: x, y (B, T) -> (loss, states to carry into the next chunk)."""
    logits, states = model(x, states)  # starts from the state the previous chunk ended in
    loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))  # nats/char
    opt.zero_grad(set_to_none=True)
    loss.backward()  # gradients flow back at most T steps, to the start of this chunk
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=clip)  # rescale if ‖g‖ > clip
    opt.step()
    return loss, detach_states(states)  # keep the values, cut the graph
# --8<-- [end:train_step]


def epoch_chunks(train_ids: torch.Tensor, cfg: TrainConfig) -> Iterator[tuple[torch.Tensor, torch.Tensor, bool]]:
    """Endless (x, y, fresh) chunks: epoch after epoch, each starting the B streams at a random offset
    in [0, T); ``fresh`` is True where the state must start from zeros (an epoch start, or a seeded
    draw with probability ``cfg.reset_prob``)."""
    rng = torch.Generator().manual_seed(cfg.seed)  # epoch offsets and state resets
    while True:
        offset = int(torch.randint(cfg.seq_len, (1,), generator=rng))
        first = True
        for x, y in bptt_batches(train_ids, cfg.batch_size, cfg.seq_len, offset):
            cold = float(torch.rand((), generator=rng)) < cfg.reset_prob
            yield x, y, first or cold
            first = False


def train(model: nn.Module, train_ids: torch.Tensor, val_ids: torch.Tensor, cfg: TrainConfig,
          progress: bool = True, on_eval: Callable[[dict], None] | None = None) -> dict:
    """Train in place with truncated BPTT; return the history and leave the best-validation weights in ``model``.

    train_ids, val_ids: LongTensor (N,). The chunks come from :func:`epoch_chunks`; the state is
    carried across the chunks of an epoch (detached after every step by :func:`train_step`). The
    budget, schedule, best weights, Ctrl-C and progress bar are lessonkit's :func:`fit`. ``on_eval``
    gets a dict {step, seconds, train_nats, val_nats, best_val_nats, lr} after every validation;
    Ctrl-C stops training early and still returns (history["stopped"] == "interrupted").
    """
    device = torch.device(cfg.device)
    model.to(device)
    states = None

    def step(opt, batch):
        nonlocal states
        x, y, fresh = batch
        if fresh:
            states = None  # cold start: this chunk begins from zero states
        loss, states = train_step(model, opt, x.to(device), y.to(device), states, cfg.clip)
        return loss.item(), y.numel()

    def validate() -> float:
        return evaluate(model, val_ids, cfg.eval_batch_size, cfg.seq_len, cfg.eval_tokens)

    def report(r: dict) -> None:
        if on_eval is not None:
            on_eval({"step": r["step"], "seconds": r["seconds"], "train_nats": r["train_loss"],
                     "val_nats": r["val_loss"], "best_val_nats": r["best_val_loss"], "lr": r["lr"]})

    hist = fit(model, epoch_chunks(train_ids, cfg), step, validate, cfg, progress=progress, on_eval=report)
    for shared, ours in (("train_loss", "train_nats"), ("val_loss", "val_nats"),
                         ("best_val_loss", "best_val_nats"), ("items_seen", "chars_seen")):
        hist[ours] = hist.pop(shared)  # Day 3 names its losses in nats/char and counts characters
    hist["epochs"] = hist["chars_seen"] / max(1, train_ids.numel())
    return hist
