"""A vocabulary: tokens (characters or words) to integer ids and back, with optional special tokens.

Day 3 uses one token per character (``Vocab.from_text``); Day 4 uses words with ``<pad>``, ``<bos>``
and ``<eos>`` in front (``Vocab.with_specials``). An id is the token's position in :attr:`tokens`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

import torch

PAD, BOS, EOS = "<pad>", "<bos>", "<eos>"


def describe_char(ch: str) -> str:
    """A readable name for one character, e.g. "'\\n' (U+000A)"; a longer token is just quoted."""
    return f"{ch!r} (U+{ord(ch):04X})" if len(ch) == 1 else repr(ch)


@dataclass
class Vocab:
    """The tokens of a task in a fixed order; id = position in :attr:`tokens`."""

    tokens: list[str]
    stoi: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self):
        self.tokens = list(self.tokens)
        if not self.tokens:
            raise ValueError("a vocabulary needs at least one token")
        if any(not isinstance(t, str) or not t for t in self.tokens):
            raise ValueError("vocabulary entries must be non-empty strings")
        if len(set(self.tokens)) != len(self.tokens):
            raise ValueError("vocabulary has duplicate tokens")
        self.stoi = {t: i for i, t in enumerate(self.tokens)}

    @classmethod
    def from_text(cls, text: str) -> "Vocab":
        """One token per distinct character of ``text``, sorted by code point."""
        return cls(sorted(set(text)))

    @classmethod
    def with_specials(cls, tokens: Iterable[str], specials: Sequence[str] = (PAD, BOS, EOS)) -> "Vocab":
        """``specials`` first (so ``<pad>`` is id 0), then ``tokens`` in the order given."""
        return cls(list(specials) + [t for t in tokens if t not in specials])

    @property
    def chars(self) -> list[str]:
        """The tokens, for a character vocabulary (Day 3's name for them)."""
        return self.tokens

    @property
    def size(self) -> int:
        """Number of tokens V."""
        return len(self.tokens)

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def id(self, token: str) -> int:
        """The id of one token; ValueError if it is not in the vocabulary."""
        try:
            return self.stoi[token]
        except KeyError:
            raise ValueError(f"token {describe_char(token)} not in the vocabulary") from None

    def unknown(self, seq: Iterable[str]) -> list[str]:
        """Distinct tokens of ``seq`` missing from the vocabulary, in order of appearance."""
        return list(dict.fromkeys(t for t in seq if t not in self.stoi))

    unknown_chars = unknown  # Day 3's name: a string is a sequence of character tokens

    def encode(self, seq: Iterable[str]) -> torch.Tensor:
        """N tokens (a str is read character by character) -> LongTensor (N,); ValueError naming unknown ones."""
        seq = list(seq)
        unknown = self.unknown(seq)
        if unknown:
            kind = "character" if all(len(t) == 1 for t in self.tokens) else "token"
            names = ", ".join(describe_char(c) for c in unknown[:10])
            more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
            listing = "".join(self.tokens) if kind == "character" else " ".join(self.tokens)
            raise ValueError(
                f"{kind}{'s' if len(unknown) > 1 else ''} {names}{more} not in the vocabulary "
                f"({self.size} {kind}s: {listing!r})"
            )
        return torch.tensor([self.stoi[t] for t in seq], dtype=torch.long)

    def decode_tokens(self, ids: torch.Tensor | Sequence[int]) -> list[str]:
        """ids (N,) -> the N tokens."""
        if isinstance(ids, torch.Tensor):
            ids = ids.reshape(-1).tolist()
        return [self.tokens[i] for i in ids]

    def decode(self, ids: torch.Tensor | Sequence[int], sep: str = "") -> str:
        """ids (N,) -> the tokens joined by ``sep`` (characters: "", words: " ")."""
        return sep.join(self.decode_tokens(ids))

    def to_list(self) -> list[str]:
        """Plain list of tokens, for checkpoints."""
        return list(self.tokens)

    @classmethod
    def from_list(cls, tokens: Sequence[str]) -> "Vocab":
        """Inverse of :meth:`to_list`."""
        return cls(list(tokens))
