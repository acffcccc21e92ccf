"""Training an image classifier on fresh glyph images every step, with lessonkit's fit.

Every batch is newly drawn, so no image is seen twice: the loss on the training distribution cannot
fall by memorising, and a network whose training loss stays high has failed to optimise, not to
generalise. Losses are mean cross-entropy in nats.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import torch
import torch.nn as nn
import torch.nn.functional as F

from lesson_code.lessonkit.configs import DictConfig
from lesson_code.lessonkit.training import check_budget, fit, update

from .shapes import GLYPH, offsets, sample


# --8<-- [start:config]
@dataclass
class TrainConfig(DictConfig):
    """Budget (lessonkit FitConfig's fields) plus the data: image side, batch size, where glyphs may sit."""

    size: int = 16  # image side
    region: str = "all"  # column offsets of training glyphs: "all", "left" or "right"
    batch_size: int = 64  # fresh images per step
    val_size: int = 512  # fixed validation images, same region
    lr: float = 3e-3  # Adam, peak
    lr_schedule: str = "cosine"
    min_lr_ratio: float = 0.1
    clip: float = 1.0  # max global gradient norm
    steps: int | None = None
    minutes: float | None = None
    eval_every: int = 100
    seed: int = 0  # weights (via fit's set_seed) and every image drawn
# --8<-- [end:config]

    def __post_init__(self):
        check_budget(self)
        for name in ("size", "batch_size", "val_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        if self.size <= GLYPH:
            raise ValueError(f"size must exceed the glyph side {GLYPH}, got {self.size}")
        if self.region not in ("all", "left", "right"):
            raise ValueError(f"region must be 'all', 'left' or 'right', got {self.region!r}")
        offsets(self.size, self.region)  # a half must fit: one clear error before any training


def batches(cfg: TrainConfig) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """An endless stream of fresh (x, y) batches from the training region, seeded by cfg.seed."""
    g = torch.Generator().manual_seed(10_000 + cfg.seed)
    while True:
        yield sample(cfg.batch_size, cfg.size, cfg.region, g)


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict:
    """{"loss": mean cross-entropy, "correct": [bool per image]} with the model in eval mode."""
    was = model.training
    model.eval()
    try:
        logits = model(x)
    finally:
        model.train(was)
    return {"loss": float(F.cross_entropy(logits, y)), "correct": (logits.argmax(1) == y).tolist()}


def train(model: nn.Module, cfg: TrainConfig, progress: bool = False, on_eval=None) -> dict:
    """Train ``model`` in place with Adam on fresh batches; returns lessonkit's history (best weights kept)."""
    x_val, y_val = sample(cfg.val_size, cfg.size, cfg.region, torch.Generator().manual_seed(20_000 + cfg.seed))

    def step(opt, batch):
        x, y = batch
        loss = F.cross_entropy(model(x), y)
        update(model, opt, loss, cfg.clip)
        return float(loss.detach()), len(y)

    return fit(model, batches(cfg), step, lambda: evaluate(model, x_val, y_val)["loss"], cfg,
               progress=progress, on_eval=on_eval, desc="day02")
