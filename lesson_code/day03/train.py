"""Training loop for the character-level language model: truncated BPTT, Adam, clipping, validation.

Losses are mean cross-entropy per predicted character in nats (natural log); bits/char is
nats/char divided by ln 2. A uniform guess over V characters costs ln V nats/char.

Keeping the best weights: validation runs every ``eval_every`` steps and at the end; the model
returned (and hence the checkpoint the CLI writes) holds the weights of the evaluation with the
lowest validation loss, so a run that starts to overfit late keeps its best point. The history
records every evaluation, so the whole curve is still visible.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import asdict, dataclass, fields
from typing import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F
from tqdm.auto import tqdm

from .data import bptt_batches
from .model import detach_states

LN2 = math.log(2.0)
LR_SCHEDULES = ("constant", "cosine")


def bits(nats: float) -> float:
    """nats/char -> bits/char."""
    return nats / LN2


def set_seed(seed: int) -> None:
    """Seed Python's and torch's global generators (weight init, dropout)."""
    random.seed(seed)
    torch.manual_seed(seed)


@dataclass
class TrainConfig:
    """Optimisation settings; set ``steps``, ``minutes`` or both (training stops at the first)."""

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
        if self.steps is None and self.minutes is None:
            raise ValueError("set steps or minutes (the training budget)")
        for name in ("batch_size", "seq_len", "eval_every", "eval_batch_size"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.steps is not None and self.steps < 1:
            raise ValueError(f"steps must be >= 1, got {self.steps}")
        if self.minutes is not None and not self.minutes > 0:
            raise ValueError(f"minutes must be > 0, got {self.minutes}")
        if self.eval_tokens is not None and self.eval_tokens < 2:
            raise ValueError(f"eval_tokens must be >= 2, got {self.eval_tokens}")
        if not self.lr > 0:
            raise ValueError(f"lr must be > 0, got {self.lr}")
        if not self.clip > 0:
            raise ValueError(f"clip must be > 0, got {self.clip}")
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(f"lr_schedule must be one of {LR_SCHEDULES}, got {self.lr_schedule!r}")
        if not 0.0 <= self.reset_prob <= 1.0:
            raise ValueError(f"reset_prob must be in [0, 1], got {self.reset_prob}")
        if not 0.0 <= self.min_lr_ratio <= 1.0:
            raise ValueError(f"min_lr_ratio must be in [0, 1], got {self.min_lr_ratio}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


def lr_at(cfg: TrainConfig, progress: float) -> float:
    """Learning rate at budget fraction ``progress`` in [0, 1]."""
    if cfg.lr_schedule == "constant":
        return cfg.lr
    p = min(max(progress, 0.0), 1.0)
    low = cfg.lr * cfg.min_lr_ratio
    return low + 0.5 * (cfg.lr - low) * (1.0 + math.cos(math.pi * p))


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


def train(model: nn.Module, train_ids: torch.Tensor, val_ids: torch.Tensor, cfg: TrainConfig,
          progress: bool = True, on_eval: Callable[[dict], None] | None = None) -> dict:
    """Train in place with truncated BPTT; return the history and leave the best-validation weights in ``model``.

    train_ids, val_ids: LongTensor (N,). Each epoch starts the B streams at a random offset in
    [0, T) so chunk boundaries move between epochs; the state is carried across the chunks of an
    epoch (detached after every step) and reset to zeros at each epoch start and, with probability
    ``cfg.reset_prob``, before any chunk (a seeded draw, so runs are repeatable). ``on_eval`` gets
    a dict {step, seconds, train_nats, val_nats, best_val_nats, lr} after every validation. Ctrl-C
    stops training early and still returns (history["stopped"] == "interrupted").
    """
    set_seed(cfg.seed)
    device = torch.device(cfg.device)
    model.to(device)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    rng = torch.Generator().manual_seed(cfg.seed)  # epoch offsets and state resets
    budget_s = None if cfg.minutes is None else cfg.minutes * 60.0

    hist: dict = {"step": [], "train_nats": [], "seconds": [], "lr": [],
                  "val_step": [], "val_nats": [], "val_seconds": [],
                  "best_step": 0, "best_val_nats": math.inf, "stopped": None, "chars_seen": 0}
    best_state = None
    window: list[float] = []  # train losses since the last validation

    def validate(step: int, elapsed: float) -> None:
        nonlocal best_state
        val = evaluate(model, val_ids, cfg.eval_batch_size, cfg.seq_len, cfg.eval_tokens)
        hist["val_step"].append(step)
        hist["val_nats"].append(val)
        hist["val_seconds"].append(elapsed)
        if val < hist["best_val_nats"]:
            hist["best_val_nats"], hist["best_step"] = val, step
            best_state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
        train_nats = sum(window) / len(window) if window else math.nan
        window.clear()
        bar.set_postfix(train=f"{train_nats:.3f}", val=f"{val:.3f}", best=f"{hist['best_val_nats']:.3f}")
        if on_eval is not None:
            on_eval({"step": step, "seconds": elapsed, "train_nats": train_nats, "val_nats": val,
                     "best_val_nats": hist["best_val_nats"], "lr": opt.param_groups[0]["lr"]})

    # progress=True shows the bar on a terminal only (tqdm's disable=None), so logs stay clean
    bar = tqdm(total=cfg.steps, disable=None if progress else True, unit="step", desc="train", leave=False)
    t0 = time.perf_counter()
    step = 0
    try:
        while hist["stopped"] is None:
            offset = int(torch.randint(cfg.seq_len, (1,), generator=rng))
            states = None
            for x, y in bptt_batches(train_ids, cfg.batch_size, cfg.seq_len, offset):
                if float(torch.rand((), generator=rng)) < cfg.reset_prob:
                    states = None  # cold start: this chunk begins from zero states
                elapsed = time.perf_counter() - t0
                frac = max(step / cfg.steps if cfg.steps else 0.0,
                           elapsed / budget_s if budget_s else 0.0)
                lr = lr_at(cfg, frac)
                for group in opt.param_groups:
                    group["lr"] = lr
                x, y = x.to(device), y.to(device)
                loss, states = train_step(model, opt, x, y, states, cfg.clip)

                step += 1
                elapsed = time.perf_counter() - t0
                value = loss.item()
                window.append(value)
                hist["step"].append(step)
                hist["train_nats"].append(value)
                hist["seconds"].append(elapsed)
                hist["lr"].append(lr)
                hist["chars_seen"] += y.numel()
                bar.update(1)
                if cfg.steps is not None and step >= cfg.steps:
                    hist["stopped"] = "steps"
                elif budget_s is not None and elapsed >= budget_s:
                    hist["stopped"] = "minutes"
                if step % cfg.eval_every == 0 or hist["stopped"]:
                    validate(step, elapsed)
                if hist["stopped"]:
                    break
    except KeyboardInterrupt:
        hist["stopped"] = "interrupted"
        if step > 0 and (not hist["val_step"] or hist["val_step"][-1] != step):
            validate(step, time.perf_counter() - t0)
    finally:
        bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    hist["seconds_total"] = time.perf_counter() - t0
    hist["epochs"] = hist["chars_seen"] / max(1, train_ids.numel())
    return hist
