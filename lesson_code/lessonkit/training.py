"""The training skeleton every lesson shares: a budget in steps or minutes, a cosine schedule,
gradient clipping, the best-validation weights, Ctrl-C and a progress bar.

A lesson supplies what is its own: an iterator of batches, a ``step(opt, batch)`` that does one
update and returns (loss, items), and a ``validate()`` that returns a loss to minimise. :func:`fit`
does the rest and returns the history; the model ends holding the weights of its best validation.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import torch
import torch.nn as nn
from tqdm.auto import tqdm

from .configs import DictConfig

LR_SCHEDULES = ("constant", "cosine")


def set_seed(seed: int) -> None:
    """Seed Python's and torch's global generators (weight init, dropout)."""
    random.seed(seed)
    torch.manual_seed(seed)


@dataclass
class FitConfig(DictConfig):
    """Budget and optimiser settings; set ``steps``, ``minutes`` or both (training stops at the first)."""

    IGNORE_UNKNOWN = True  # a lesson's config may carry more fields than these

    lr: float = 3e-3  # Adam learning rate (peak)
    lr_schedule: str = "cosine"  # "constant" or cosine decay to lr * min_lr_ratio over the budget
    min_lr_ratio: float = 0.1
    clip: float = 1.0  # max global gradient norm
    steps: int | None = None
    minutes: float | None = None
    eval_every: int = 200  # steps between validations
    seed: int = 0

    def __post_init__(self):
        check_budget(self)


def check_budget(cfg) -> None:
    """ValueError naming the first bad field of anything with FitConfig's fields."""
    if cfg.steps is None and cfg.minutes is None:
        raise ValueError("set steps or minutes (the training budget)")
    if cfg.steps is not None and cfg.steps < 1:
        raise ValueError(f"steps must be >= 1, got {cfg.steps}")
    if cfg.minutes is not None and not cfg.minutes > 0:
        raise ValueError(f"minutes must be > 0, got {cfg.minutes}")
    if int(cfg.eval_every) < 1:
        raise ValueError(f"eval_every must be >= 1, got {cfg.eval_every}")
    if not cfg.lr > 0:
        raise ValueError(f"lr must be > 0, got {cfg.lr}")
    if not cfg.clip > 0:
        raise ValueError(f"clip must be > 0, got {cfg.clip}")
    if cfg.lr_schedule not in LR_SCHEDULES:
        raise ValueError(f"lr_schedule must be one of {LR_SCHEDULES}, got {cfg.lr_schedule!r}")
    if not 0.0 <= cfg.min_lr_ratio <= 1.0:
        raise ValueError(f"min_lr_ratio must be in [0, 1], got {cfg.min_lr_ratio}")


def lr_at(cfg, progress: float) -> float:
    """Learning rate at budget fraction ``progress`` in [0, 1]: lr_min + ½(lr - lr_min)(1 + cos πp)."""
    if cfg.lr_schedule == "constant":
        return cfg.lr
    p = min(max(progress, 0.0), 1.0)
    low = cfg.lr * cfg.min_lr_ratio
    return low + 0.5 * (cfg.lr - low) * (1.0 + math.cos(math.pi * p))


def update(model: nn.Module, opt: torch.optim.Optimizer, loss: torch.Tensor, clip: float) -> float:
    """One optimiser update from ``loss``: backward, clip the global norm to ``clip``, step; returns the pre-clip norm."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=clip)  # rescale if ‖g‖ > clip
    opt.step()
    return float(norm)


def fit(model: nn.Module, batches: Iterator[Any], step: Callable[[torch.optim.Optimizer, Any], tuple[float, int]],
        validate: Callable[[], float], cfg, progress: bool = True,
        on_eval: Callable[[dict], None] | None = None, desc: str = "train") -> dict:
    """Train ``model`` in place; return the history and leave the best-validation weights in it.

    ``cfg`` has FitConfig's fields (a lesson's own config may add more). Each step draws the next
    batch, sets the learning rate for the fraction of the budget used, and calls
    ``step(opt, batch) -> (loss value, items in the batch)``, which does the update (see
    :func:`update`). ``validate()`` runs every ``eval_every`` steps and at the end (the model in
    eval mode, no gradients); ``on_eval`` then gets {step, seconds, train_loss, val_loss,
    best_val_loss, lr}. Ctrl-C ends training early and still returns (history["stopped"] ==
    "interrupted"); so does an exhausted ``batches`` ("data").
    """
    set_seed(cfg.seed)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    budget_s = None if cfg.minutes is None else cfg.minutes * 60.0
    hist: dict = {"step": [], "train_loss": [], "seconds": [], "lr": [],
                  "val_step": [], "val_loss": [], "val_seconds": [],
                  "best_step": 0, "best_val_loss": math.inf, "stopped": None, "items_seen": 0}
    best_state = None
    window: list[float] = []  # train losses since the last validation

    def run_validation(step_no: int, elapsed: float) -> None:
        nonlocal best_state
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                val = float(validate())
        finally:
            model.train(was_training)
        hist["val_step"].append(step_no)
        hist["val_loss"].append(val)
        hist["val_seconds"].append(elapsed)
        if val < hist["best_val_loss"]:
            hist["best_val_loss"], hist["best_step"] = val, step_no
            best_state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
        train_loss = sum(window) / len(window) if window else math.nan
        window.clear()
        bar.set_postfix(train=f"{train_loss:.3f}", val=f"{val:.3f}", best=f"{hist['best_val_loss']:.3f}")
        if on_eval is not None:
            on_eval({"step": step_no, "seconds": elapsed, "train_loss": train_loss, "val_loss": val,
                     "best_val_loss": hist["best_val_loss"], "lr": opt.param_groups[0]["lr"]})

    # progress=True shows the bar on a terminal only (tqdm's disable=None), so logs stay clean
    bar = tqdm(total=cfg.steps, disable=None if progress else True, unit="step", desc=desc, leave=False)
    t0 = time.perf_counter()
    step_no = 0
    try:
        while hist["stopped"] is None:
            try:
                batch = next(batches)
            except StopIteration:
                hist["stopped"] = "data"
                if step_no > 0 and (not hist["val_step"] or hist["val_step"][-1] != step_no):
                    run_validation(step_no, time.perf_counter() - t0)
                break
            elapsed = time.perf_counter() - t0
            frac = max(step_no / cfg.steps if cfg.steps else 0.0, elapsed / budget_s if budget_s else 0.0)
            lr = lr_at(cfg, frac)
            for group in opt.param_groups:
                group["lr"] = lr
            value, items = step(opt, batch)

            step_no += 1
            elapsed = time.perf_counter() - t0
            window.append(value)
            hist["step"].append(step_no)
            hist["train_loss"].append(value)
            hist["seconds"].append(elapsed)
            hist["lr"].append(lr)
            hist["items_seen"] += int(items)
            bar.update(1)
            if cfg.steps is not None and step_no >= cfg.steps:
                hist["stopped"] = "steps"
            elif budget_s is not None and elapsed >= budget_s:
                hist["stopped"] = "minutes"
            if step_no % cfg.eval_every == 0 or hist["stopped"]:
                run_validation(step_no, elapsed)
    except KeyboardInterrupt:
        hist["stopped"] = "interrupted"
        if step_no > 0 and (not hist["val_step"] or hist["val_step"][-1] != step_no):
            run_validation(step_no, time.perf_counter() - t0)
    finally:
        bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    hist["seconds_total"] = time.perf_counter() - t0
    return hist
