"""Facts about the task the page quotes: vocabulary sizes, source lengths, the split, examples.

Cheap and exact (no training): the determinism test rebuilds it.
"""
from __future__ import annotations

import math

import torch

from lesson_code.lessonkit.experiments import mean

from ..numbers import (MAX_DIGITS, SOURCE_WORDS, TARGET_TOKENS, sample_numbers, source_length_words, split_of,
                       to_words)

EXAMPLES = (7, 40, 115, 3_012, 70_000_406, 312_045, 999_999_999_999)


def run(seed: int = 0, per_digit: int = 2000, split_sample: int = 100_000) -> dict:
    """Source length by digit count (sampled), the measured split shares, and worked examples."""
    gen = torch.Generator().manual_seed(40_000 + seed)
    lengths = {}
    for d in range(1, MAX_DIGITS + 1):
        nums = sample_numbers(per_digit, d, split="train", generator=gen)
        lengths[d] = [source_length_words(n) for n in nums]
    pool = torch.randint(100, 10**MAX_DIGITS, (split_sample,), generator=gen).tolist()
    shares = {s: sum(split_of(n) == s for n in pool) / split_sample for s in ("train", "val", "test")}
    quotes = {
        "n_source_words": len(SOURCE_WORDS), "n_target_tokens": len(TARGET_TOKENS), "max_digits": MAX_DIGITS,
        "max_number": 10**MAX_DIGITS - 1, "longest_source": len(to_words(777_777_777_777)),
        "mean_words_d12": mean(lengths[12]), "mean_words_d6": mean(lengths[6]), "mean_words_d3": mean(lengths[3]),
        "bits_per_digit": math.log2(10), "bits_d12": math.log2(9 * 10 ** (MAX_DIGITS - 1)),  # 9e11 numbers
        "share_train": shares["train"], "share_val": shares["val"], "share_test": shares["test"],
        "examples": [{"number": n, "words": " ".join(to_words(n)), "digits": str(n)} for n in EXAMPLES],
    }
    return {"experiment": "task", "seed": seed,
            "mean_words": [mean(lengths[d]) for d in range(1, MAX_DIGITS + 1)],
            "max_words": [max(lengths[d]) for d in range(1, MAX_DIGITS + 1)], "quotes": quotes}
