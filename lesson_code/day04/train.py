"""Training the number reader: fresh random numbers every step, teacher forcing, lessonkit's fit.

Losses are mean cross-entropy per target token (digits and <eos>) in nats; padding is ignored.
Training numbers come from the train split only; validation uses a fixed set from the val split,
and :func:`evaluate` reports exact-match and per-token accuracy, teacher-forced and greedy, by
digit count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

import torch
import torch.nn.functional as F

from lesson_code.lessonkit.configs import DictConfig
from lesson_code.lessonkit.training import check_budget, fit, update

from .model import Seq2Seq
from .numbers import (MAX_DIGITS, Batch, batch_of_numbers, sample_digits, sample_mixed, source_vocab,
                      target_vocab)
from .search import evaluating, greedy_decode


# --8<-- [start:config]
@dataclass
class TrainConfig(DictConfig):
    """Budget (lessonkit FitConfig's fields) plus the task: batch size, digit range, source order."""

    batch_size: int = 128  # numbers per step, each freshly drawn
    max_digits: int = 9  # training numbers have 1..max_digits digits, the count uniform
    reverse_source: bool = False  # feed the words backwards (Sutskever et al., 2014)
    val_size: int = 1024  # fixed validation numbers from the val split
    lr: float = 3e-3  # Adam, peak
    lr_schedule: str = "cosine"  # "constant" or cosine decay to lr * min_lr_ratio
    min_lr_ratio: float = 0.1
    clip: float = 1.0  # max global gradient norm
    steps: int | None = None
    minutes: float | None = None
    eval_every: int = 200
    seed: int = 0  # weights (via fit's set_seed), training numbers and the validation set
# --8<-- [end:config]

    def __post_init__(self):
        check_budget(self)
        for name in ("batch_size", "val_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        if not isinstance(self.max_digits, int) or not 1 <= self.max_digits <= MAX_DIGITS:
            raise ValueError(f"max_digits must be an integer in 1..{MAX_DIGITS}, got {self.max_digits!r}")


def training_batches(cfg: TrainConfig) -> Iterator[Batch]:
    """An endless stream of batches of fresh train-split numbers, seeded by cfg.seed."""
    generator = torch.Generator().manual_seed(cfg.seed)
    src_vocab, tgt_vocab = source_vocab(), target_vocab()
    while True:
        numbers = sample_mixed(cfg.batch_size, cfg.max_digits, split="train", generator=generator)
        yield batch_of_numbers(numbers, cfg.reverse_source, src_vocab, tgt_vocab)


def validation_numbers(cfg: TrainConfig) -> list[int]:
    """cfg.val_size val-split numbers, digit counts cycling 1..max_digits (the same set for a given seed)."""
    generator = torch.Generator().manual_seed(10_000 + cfg.seed)  # not the training stream's seed
    digits = torch.arange(cfg.val_size) % cfg.max_digits + 1  # (val_size,) an even spread of lengths
    return sample_digits(digits, split="val", generator=generator)


# --8<-- [start:loss]
def token_loss(model: Seq2Seq, batch: Batch, reduction: str = "mean") -> torch.Tensor:
    """Teacher-forced cross-entropy of the targets (digits and <eos>), padding ignored: nats/token."""
    logits = model(batch.src, batch.src_len, batch.tgt_in)  # (B, T, V)
    return F.cross_entropy(logits.flatten(0, 1), batch.tgt_out.flatten(),
                           ignore_index=model.config.pad_id, reduction=reduction)
# --8<-- [end:loss]


def mean_token_loss(model: Seq2Seq, numbers: Sequence[int], reverse_source: bool = False,
                    batch_size: int = 512) -> float:
    """Mean nats per target token over ``numbers`` (eval mode, no gradients)."""
    total, count = 0.0, 0
    with evaluating(model):
        for i in range(0, len(numbers), batch_size):
            batch = batch_of_numbers(numbers[i:i + batch_size], reverse_source)
            total += float(token_loss(model, batch, reduction="sum"))
            count += int((batch.tgt_out != model.config.pad_id).sum())
    return total / count


# --8<-- [start:train]
def train(model: Seq2Seq, cfg: TrainConfig, progress: bool = True,
          on_eval: Callable[[dict], None] | None = None) -> dict:
    """Train in place with lessonkit's fit; return its history (the model keeps its best-validation weights)."""
    val = validation_numbers(cfg)

    def step(opt, batch: Batch):
        loss = token_loss(model, batch)  # teacher forcing: the decoder reads the true previous digit
        update(model, opt, loss, cfg.clip)
        return loss.item(), int((batch.tgt_out != model.config.pad_id).sum())  # items = target tokens

    def validate() -> float:
        return mean_token_loss(model, val, cfg.reverse_source)

    return fit(model, training_batches(cfg), step, validate, cfg, progress=progress, on_eval=on_eval)
# --8<-- [end:train]


def _rates(correct: int, total: int) -> float:
    return correct / total if total else float("nan")


def evaluate(model: Seq2Seq, numbers: Sequence[int], reverse_source: bool = False,
             batch_size: int = 512) -> dict:
    """Accuracy on ``numbers``, overall and by digit count.

    A target is the digits plus <eos>. Exact match: every target token right. Per-token: the share
    of target positions right. Teacher-forced: the argmax at each position given the true previous
    digits; greedy: the model's own free-running output (which must also stop at the right place).
    Returns {"overall": {...}, "by_digits": [{"digits": d, ...}, ...], "items": {...}} with keys
    count, exact_tf, token_tf, exact_greedy, token_greedy, and digit_tf (teacher-forced, digits only:
    <eos> is left out, so that short numbers are not flattered by their easy end token); "items"
    holds per number, in the order given, "exact_greedy" (bool) and "digits_right_tf" (int), for
    paired comparisons of two models on the same numbers.
    """
    if len(numbers) == 0:
        raise ValueError("evaluate needs at least one number")
    pad = model.config.pad_id
    tally: dict[int, list[int]] = {}  # digits -> [count, exact_tf, tokens, right_tf, exact_greedy, right_greedy,
    #                                              digit positions, digits right teacher-forced]
    items: dict[str, list] = {"exact_greedy": [], "digits_right_tf": []}
    with evaluating(model):
        for i in range(0, len(numbers), batch_size):
            chunk = list(numbers[i:i + batch_size])
            batch = batch_of_numbers(chunk, reverse_source)
            real = batch.tgt_out != pad  # (B, T)
            pred = model(batch.src, batch.src_len, batch.tgt_in).argmax(-1)  # (B, T) teacher-forced
            right_tf = ((pred == batch.tgt_out) & real).sum(1)  # (B,)
            is_digit = real & (batch.tgt_out != model.config.eos_id)  # (B, T): digit positions, no <eos>
            right_digits = ((pred == batch.tgt_out) & is_digit).sum(1)  # (B,)
            out = greedy_decode(model, batch.src, batch.src_len, max_len=batch.tgt_out.size(1) + 1)
            for b, n in enumerate(chunk):
                target = batch.tgt_out[b, real[b]].tolist()  # digits + <eos>
                got = out.ids[b]
                right_g = sum(x == y for x, y in zip(got, target))
                items["exact_greedy"].append(got == target)
                items["digits_right_tf"].append(int(right_digits[b]))
                row = tally.setdefault(len(str(n)), [0] * 8)
                for j, v in enumerate((1, int(right_tf[b]) == len(target), len(target), int(right_tf[b]),
                                       got == target, right_g, len(target) - 1, int(right_digits[b]))):
                    row[j] += int(v)

    def summary(rows) -> dict:
        c, e_tf, tok, r_tf, e_g, r_g, dig, r_dig = (sum(r[j] for r in rows) for j in range(8))
        return {"count": c, "exact_tf": _rates(e_tf, c), "token_tf": _rates(r_tf, tok),
                "exact_greedy": _rates(e_g, c), "token_greedy": _rates(r_g, tok), "digit_tf": _rates(r_dig, dig)}

    return {"overall": summary(tally.values()),
            "by_digits": [{"digits": d, **summary([tally[d]])} for d in sorted(tally)], "items": items}
