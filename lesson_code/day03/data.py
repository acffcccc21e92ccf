"""Characters to integer ids and back, the train/validation split, and truncated-BPTT batches.

Truncated BPTT needs batches whose rows continue each other across steps: the corpus ids are cut
into B contiguous streams (row b is one long stretch of text), and chunk k+1 of row b starts
exactly where chunk k of row b ended. The recurrent state left by chunk k is therefore the right
starting state for chunk k+1; the training loop carries it over (detached).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Sequence

import torch


def describe_char(ch: str) -> str:
    """A readable name for one character, e.g. "'\\n' (U+000A)"."""
    return f"{ch!r} (U+{ord(ch):04X})"


@dataclass
class Vocab:
    """The sorted set of characters of a text; id = position in :attr:`chars`."""

    chars: list[str]
    stoi: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self):
        self.chars = list(self.chars)
        if not self.chars:
            raise ValueError("a vocabulary needs at least one character")
        if any(not isinstance(c, str) or len(c) != 1 for c in self.chars):
            raise ValueError("vocabulary entries must be single characters")
        if len(set(self.chars)) != len(self.chars):
            raise ValueError("vocabulary has duplicate characters")
        self.stoi = {c: i for i, c in enumerate(self.chars)}

    @classmethod
    def from_text(cls, text: str) -> "Vocab":
        """Every distinct character of ``text``, sorted by code point."""
        return cls(sorted(set(text)))

    @property
    def size(self) -> int:
        """Number of characters V."""
        return len(self.chars)

    def __len__(self) -> int:
        return len(self.chars)

    def __contains__(self, ch: str) -> bool:
        return ch in self.stoi

    def unknown_chars(self, text: str) -> list[str]:
        """Distinct characters of ``text`` missing from the vocabulary, in order of appearance."""
        return list(dict.fromkeys(c for c in text if c not in self.stoi))

    def encode(self, text: str) -> torch.Tensor:
        """str of length N -> LongTensor (N,); ValueError naming every unknown character."""
        unknown = self.unknown_chars(text)
        if unknown:
            names = ", ".join(describe_char(c) for c in unknown[:10])
            more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
            raise ValueError(
                f"character{'s' if len(unknown) > 1 else ''} {names}{more} not in the vocabulary "
                f"({self.size} characters: {''.join(self.chars)!r})"
            )
        return torch.tensor([self.stoi[c] for c in text], dtype=torch.long)

    def decode(self, ids: torch.Tensor | Sequence[int]) -> str:
        """ids (N,) -> str of length N."""
        if isinstance(ids, torch.Tensor):
            ids = ids.reshape(-1).tolist()
        return "".join(self.chars[i] for i in ids)

    def to_list(self) -> list[str]:
        """Plain list of characters, for checkpoints."""
        return list(self.chars)

    @classmethod
    def from_list(cls, chars: Sequence[str]) -> "Vocab":
        """Inverse of :meth:`to_list`."""
        return cls(list(chars))


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
