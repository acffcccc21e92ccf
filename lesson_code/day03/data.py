"""The train/validation split and truncated-BPTT batches (characters to ids: lessonkit's :class:`Vocab`).

Truncated BPTT needs batches whose rows continue each other across steps: the corpus ids are cut
into B contiguous streams (row b is one long stretch of text), and chunk k+1 of row b starts
exactly where chunk k of row b ended. The recurrent state left by chunk k is therefore the right
starting state for chunk k+1; the training loop carries it over (detached).
"""

from __future__ import annotations

from typing import Iterator

import torch

from lesson_code.lessonkit.vocab import Vocab, describe_char  # noqa: F401 (the lesson's vocabulary)


def split_ids(ids: torch.Tensor, val_fraction: float = 0.1) -> tuple[torch.Tensor, torch.Tensor]:
    """ids (N,) -> (train (N - n_val,), val (n_val,)): the last ``val_fraction`` held out contiguously.

    Contiguous, not random: a random character-level split would put near-copies of every
    validation line in the training set. For the Shakespeare corpus prefer
    :func:`lesson_code.day03.corpus.train_val_split`, which holds out a whole play.
    """
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    n = ids.numel()
    if n < 4:
        raise ValueError(f"need at least 4 ids to split, got {n}")
    n_val = min(max(int(round(n * val_fraction)), 2), n - 2)
    return ids[: n - n_val], ids[n - n_val:]


# --8<-- [start:bptt_batches]
def make_streams(ids: torch.Tensor, batch_size: int, offset: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """ids (N,) -> inputs, targets, each (B, L): B contiguous streams, targets shifted by one.

    Row b of the inputs is ids[offset + b*L : offset + (b+1)*L]; the last N - offset - 1 - B*L
    ids are dropped. Raises ValueError if a stream would be empty.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    usable = ids.numel() - offset - 1  # every input needs a next character
    length = usable // batch_size
    if length < 1:
        raise ValueError(
            f"text too short: {ids.numel()} characters cannot fill {batch_size} streams "
            f"(need at least {batch_size + 1 + offset}); use a smaller batch size"
        )
    x = ids[offset: offset + batch_size * length].view(batch_size, length)
    y = ids[offset + 1: offset + 1 + batch_size * length].view(batch_size, length)
    return x, y


def bptt_batches(
    ids: torch.Tensor, batch_size: int, seq_len: int, offset: int = 0
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Yield (x, y), each (B, T) with T <= seq_len, walking the B streams left to right.

    y[b, t] is the character after x[b, t]; chunk k+1 of row b continues chunk k of row b
    (the last chunk may be shorter). Every usable position is visited exactly once.
    """
    if seq_len < 1:
        raise ValueError(f"seq_len must be >= 1, got {seq_len}")
    x, y = make_streams(ids, batch_size, offset)
    for start in range(0, x.size(1), seq_len):
        yield x[:, start: start + seq_len], y[:, start: start + seq_len]
# --8<-- [end:bptt_batches]


def num_chunks(ids: torch.Tensor, batch_size: int, seq_len: int, offset: int = 0) -> int:
    """How many (x, y) chunks :func:`bptt_batches` yields."""
    length = (ids.numel() - offset - 1) // batch_size
    return -(-length // seq_len) if length > 0 else 0
