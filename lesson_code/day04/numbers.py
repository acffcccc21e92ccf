"""The Day 4 task, generated on the fly: English number words in, digits out.

    "three hundred twelve thousand forty five"  ->  "312045"

Source tokens are words (no "and", no hyphens: "twenty one" is two tokens), target tokens are the
ten digits. Numbers run from 0 to 999,999,999,999 (1 to 12 digits). A fixed hash splits them into
train / val / test, so a held-out number is never a training example (see :func:`split_of`).
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple, Sequence

import torch

from lesson_code.lessonkit.vocab import Vocab

ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]  # 20, 30, ..., 90
SCALES = [(10**9, "billion"), (10**6, "million"), (10**3, "thousand")]
SOURCE_WORDS = ONES + TENS + ["hundred", "thousand", "million", "billion"]  # 32 words, fixed order
TARGET_TOKENS = list("0123456789")
MAX_DIGITS = 12
MAX_NUMBER = 10**MAX_DIGITS - 1  # 999,999,999,999
SPLITS = ("train", "val", "test")
SHARED_BELOW = 100  # 0..99 belong to every split (see split_of)


# --8<-- [start:to_words]
def _below_thousand(n: int) -> list[str]:
    """1 <= n <= 999 -> its words, e.g. 345 -> three hundred forty five."""
    words = []
    if n >= 100:
        words += [ONES[n // 100], "hundred"]
        n %= 100
    if n >= 20:
        words.append(TENS[n // 10 - 2])
        n %= 10
    if n > 0:
        words.append(ONES[n])  # 1..19
    return words


def to_words(n: int) -> list[str]:
    """0 <= n <= 999,999,999,999 -> its English words, read in groups of three digits from the left."""
    if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= MAX_NUMBER:
        raise ValueError(f"n must be an integer in [0, {MAX_NUMBER:,}], got {n!r}")
    if n == 0:
        return ["zero"]
    words = []
    for scale, name in SCALES:
        if n >= scale:
            words += _below_thousand(n // scale) + [name]  # e.g. 312 thousand
            n %= scale
    if n > 0:
        words += _below_thousand(n)
    return words
# --8<-- [end:to_words]


def to_digits(n: int) -> list[str]:
    """n -> its decimal digits as tokens, e.g. 312045 -> ['3', '1', '2', '0', '4', '5']."""
    return list(str(n))


def source_length_words(n: int) -> int:
    """Number of source words of n (the encoder's sequence length S before padding)."""
    return len(to_words(n))


def number_pair(n: int) -> tuple[list[str], list[str]]:
    """n -> (source words, target digits)."""
    return to_words(n), to_digits(n)


def source_vocab() -> Vocab:
    """<pad> <bos> <eos> (ids 0, 1, 2) then the 32 number words."""
    return Vocab.with_specials(SOURCE_WORDS)


def target_vocab() -> Vocab:
    """<pad> <bos> <eos> (ids 0, 1, 2) then the digits 0-9 (ids 3-12)."""
    return Vocab.with_specials(TARGET_TOKENS)


# --8<-- [start:split]
def split_of(n: int) -> str:
    """The split of n >= 100: "test" if sha256(str(n)) mod 10 == 0, "val" if it is 1, else "train".

    The hash is fixed, so the split never depends on a seed, and a number is in exactly one split.
    The 100 numbers 0..99 cannot be split (there are 10 one-digit numbers, and every word they use
    must be seen in training), so they belong to every split: accuracy on 1-2 digit numbers is
    memorisation, not generalisation, and the lesson reports it as such.
    """
    if n < SHARED_BELOW:
        return "shared"
    bucket = int.from_bytes(hashlib.sha256(str(n).encode()).digest()[:8], "big") % 10
    return "test" if bucket == 0 else "val" if bucket == 1 else "train"
# --8<-- [end:split]


def is_test(n: int) -> bool:
    """True if n is a held-out test number: n >= 100 and its hash bucket is "test"."""
    return split_of(n) == "test"


def in_split(n: int, split: str) -> bool:
    """True if n may be drawn for ``split``: its hash bucket matches, or n < 100 (shared)."""
    s = split_of(n)
    return s == "shared" or s == split


def digit_range(digits: int) -> tuple[int, int]:
    """(lowest, highest) number with exactly ``digits`` digits; 1 digit is 0..9."""
    _check_digits(digits)
    return (0 if digits == 1 else 10 ** (digits - 1)), 10**digits - 1


def _check_digits(digits) -> None:
    if not isinstance(digits, int) or not 1 <= digits <= MAX_DIGITS:
        raise ValueError(f"digits must be an integer in 1..{MAX_DIGITS}, got {digits!r}")


def _generator(generator: torch.Generator | None, seed: int | None) -> torch.Generator:
    if generator is not None and seed is not None:
        raise ValueError("pass a generator or a seed, not both")
    if generator is None:
        if seed is None:
            raise ValueError("pass a generator or a seed (sampling is always seeded)")
        generator = torch.Generator().manual_seed(int(seed))
    return generator


def _draw(digits: torch.Tensor, generator: torch.Generator) -> list[int]:
    """digits (N,) -> N numbers, each uniform among the numbers with that many digits."""
    digits = digits.long()  # 10^12 needs int64
    low = torch.where(digits == 1, torch.zeros_like(digits), 10 ** (digits - 1))  # (N,)
    span = 10**digits - low  # how many numbers have d digits: 10 for d = 1, 9 * 10^(d-1) after
    r = torch.randint(0, 2**62, digits.shape, generator=generator)  # 62 random bits; bias of r % span < 1e-6
    return (low + r % span).tolist()


# --8<-- [start:sampler]
def sample_digits(digits: torch.Tensor, *, split: str = "train", generator: torch.Generator) -> list[int]:
    """digits (N,) -> N numbers of ``split``, number i uniform among those with digits[i] digits.

    A number of another split is rejected and drawn again (about 1 in 5 for train, 9 in 10 for val
    and test), so the held-out numbers never reach the training batches.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    out = _draw(digits, generator)
    todo = [i for i, n in enumerate(out) if not in_split(n, split)]
    while todo:
        redrawn = _draw(digits[todo], generator)
        for i, n in zip(todo, redrawn):
            out[i] = n
        todo = [i for i in todo if not in_split(out[i], split)]
    return out
# --8<-- [end:sampler]


def sample_numbers(count: int, digits: int, *, split: str = "train", generator: torch.Generator | None = None,
                   seed: int | None = None, unique: bool = False) -> list[int]:
    """``count`` numbers of ``split`` with exactly ``digits`` digits (seeded: pass a generator or a seed).

    unique=True draws without replacement (for evaluation sets); a ValueError says when the split
    has fewer than ``count`` such numbers (e.g. 1 digit: only 10).
    """
    _check_digits(digits)
    if not isinstance(count, int) or count < 0:
        raise ValueError(f"count must be an integer >= 0, got {count!r}")
    generator = _generator(generator, seed)
    if not unique:
        return sample_digits(torch.full((count,), digits), split=split, generator=generator)
    low, high = digit_range(digits)
    if digits <= 4:  # few enough to list: draw a random subset of the eligible numbers
        pool = [n for n in range(low, high + 1) if in_split(n, split)]
        if count > len(pool):
            raise ValueError(f"the {split} split has only {len(pool)} numbers with {digits} digit{'s' if digits > 1 else ''}, "
                             f"asked for {count} distinct ones")
        return [pool[i] for i in torch.randperm(len(pool), generator=generator)[:count].tolist()]
    seen: dict[int, None] = {}
    while len(seen) < count:  # at least 9,000 candidates per split: collisions are rare
        for n in sample_digits(torch.full((count - len(seen),), digits), split=split, generator=generator):
            seen.setdefault(n, None)
    return list(seen)


def sample_mixed(count: int, max_digits: int, *, min_digits: int = 1, split: str = "train",
                 generator: torch.Generator | None = None, seed: int | None = None) -> list[int]:
    """``count`` numbers of ``split``: digit count uniform in min_digits..max_digits, then the number uniform."""
    _check_digits(max_digits)
    _check_digits(min_digits)
    if min_digits > max_digits:
        raise ValueError(f"min_digits ({min_digits}) must be <= max_digits ({max_digits})")
    generator = _generator(generator, seed)
    digits = torch.randint(min_digits, max_digits + 1, (count,), generator=generator)  # (count,)
    return sample_digits(digits, split=split, generator=generator)


class Batch(NamedTuple):
    """A padded batch; pad = id 0 everywhere. S = longest source, T = longest target + 1."""

    src: torch.Tensor  # (B, S) source word ids, right-padded
    src_len: torch.Tensor  # (B,) real source lengths
    tgt_in: torch.Tensor  # (B, T) <bos> d_1 ... d_n, then pads: what the decoder reads
    tgt_out: torch.Tensor  # (B, T) d_1 ... d_n <eos>, then pads: what it must predict


# --8<-- [start:make_batch]
def make_batch(pairs: Sequence[tuple[Sequence[str], Sequence[str]]], src_vocab: Vocab, tgt_vocab: Vocab,
               reverse_source: bool = False) -> Batch:
    """(source tokens, target tokens) pairs -> a padded Batch.

    reverse_source feeds each source backwards (its real tokens only; the padding stays on the
    right), the trick of Sutskever et al. (2014): the first target digits then sit close, in
    time, to the source words they come from.
    """
    if len(pairs) == 0:
        raise ValueError("make_batch needs at least one pair")
    pad, bos, eos = src_vocab.id("<pad>"), tgt_vocab.id("<bos>"), tgt_vocab.id("<eos>")
    tgt_pad = tgt_vocab.id("<pad>")
    srcs = [src_vocab.encode(s) for s, _ in pairs]  # B tensors (S_b,)
    tgts = [tgt_vocab.encode(t) for _, t in pairs]  # B tensors (T_b - 1,)
    if any(len(s) == 0 for s in srcs):
        raise ValueError("every source needs at least one token")
    if reverse_source:
        srcs = [s.flip(0) for s in srcs]
    B, S, T = len(pairs), max(len(s) for s in srcs), max(len(t) for t in tgts) + 1
    src = torch.full((B, S), pad, dtype=torch.long)
    tgt_in = torch.full((B, T), tgt_pad, dtype=torch.long)
    tgt_out = torch.full((B, T), tgt_pad, dtype=torch.long)
    for b, (s, t) in enumerate(zip(srcs, tgts)):
        src[b, :len(s)] = s
        tgt_in[b, 0] = bos  # <bos> d_1 ... d_n
        tgt_in[b, 1:len(t) + 1] = t
        tgt_out[b, :len(t)] = t  # d_1 ... d_n <eos>
        tgt_out[b, len(t)] = eos
    src_len = torch.tensor([len(s) for s in srcs], dtype=torch.long)  # (B,)
    return Batch(src, src_len, tgt_in, tgt_out)
# --8<-- [end:make_batch]


def batch_of_numbers(numbers: Sequence[int], reverse_source: bool = False,
                     src_vocab: Vocab | None = None, tgt_vocab: Vocab | None = None) -> Batch:
    """Numbers -> a padded Batch of (words, digits), with the task's vocabularies by default."""
    return make_batch([number_pair(n) for n in numbers], src_vocab or source_vocab(),
                      tgt_vocab or target_vocab(), reverse_source)
