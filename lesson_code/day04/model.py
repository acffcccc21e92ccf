"""Sequence to sequence with one context vector (Sutskever et al., 2014), on Day 3's cells.

    source words --Encoder--> final state --[Bridge: k numbers]--> context --Decoder--> digits

The context (for an LSTM the pair (h, c)) is the decoder's initial state and the ONLY path from
the source to the output: whatever the decoder needs to know about the source must fit in it.
That fixed-size state is the bottleneck the lesson measures. An optional linear ``Bridge`` squeezes
the encoder's final state through k numbers, so the context's size can be varied while the
encoder and decoder stay exactly the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn

from lesson_code.day03.cells import CELL_TYPES, make_cell, unroll
from lesson_code.lessonkit.configs import DictConfig


# --8<-- [start:config]
@dataclass
class Seq2SeqConfig(DictConfig):
    src_vocab_size: int
    tgt_vocab_size: int
    embed_size: int = 32
    hidden_size: int = 64  # H: the size of the context (an LSTM passes h and c, 2H numbers)
    cell: str = "lstm"  # "rnn" | "lstm" | "gru" (Day 3's cells)
    pad_id: int = 0  # target special tokens, as lessonkit's Vocab.with_specials numbers them
    bos_id: int = 1
    eos_id: int = 2
    bridge: int | None = None  # k: squeeze the final state through k numbers (None: pass it whole)
# --8<-- [end:config]

    def __post_init__(self):
        if self.cell not in CELL_TYPES:
            raise ValueError(f"unknown cell {self.cell!r}; expected one of {CELL_TYPES}")
        for name in ("src_vocab_size", "tgt_vocab_size", "embed_size", "hidden_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        ids = {"pad_id": self.pad_id, "bos_id": self.bos_id, "eos_id": self.eos_id}
        for name, value in ids.items():
            if not isinstance(value, int) or not 0 <= value < self.tgt_vocab_size:
                raise ValueError(f"{name} must be a target id in [0, {self.tgt_vocab_size}), got {value!r}")
        if self.bridge is not None and (not isinstance(self.bridge, int) or self.bridge < 1):
            raise ValueError(f"bridge must be None or an integer >= 1, got {self.bridge!r}")
        if len(set(ids.values())) != 3:
            raise ValueError(f"pad_id, bos_id and eos_id must differ, got {ids}")
        if self.tgt_vocab_size < 4:
            raise ValueError(f"tgt_vocab_size must be >= 4 (3 special tokens and at least one output), "
                             f"got {self.tgt_vocab_size}")


# --8<-- [start:encoder]
def keep_where(m, new, old):
    """Per row, the new state where m is True, the old one where it is False; states may be tuples."""
    if isinstance(new, tuple):
        return tuple(keep_where(m, n, o) for n, o in zip(new, old))
    return torch.where(m, new, old)  # s_t = m_t ⊙ s'_t + (1 - m_t) ⊙ s_{t-1}, exact for m ∈ {0, 1}


class Encoder(nn.Module):
    """Embedding + one Day 3 cell read over the source. forward: src (B, S), src_len (B,) -> context."""

    def __init__(self, config: Seq2SeqConfig):
        super().__init__()
        self.embed = nn.Embedding(config.src_vocab_size, config.embed_size)
        self.cell = make_cell(config.cell, config.embed_size, config.hidden_size)

    def forward(self, src, src_len):
        return self.read(src, src_len)[2]  # the state after each sequence's last real token

    def read(self, src, src_len):
        """-> outputs (B, S, H) after every step, mask (B, S) True on real tokens, final state."""
        x = self.embed(src)  # (B, S, E)
        state = self.cell.init_state(x)  # zeros: (B, H), or (h, c) for an LSTM
        xw = self.cell.project_input(x)  # (B, S, kH): W_x x_t for all S steps in one matmul
        steps = torch.arange(src.size(1), device=src.device)  # (S,)
        real = steps[None, :] < src_len[:, None]  # (B, S): True on real tokens
        outputs = []
        for xw_t, m_t in zip(xw.unbind(dim=1), real.unsqueeze(-1).unbind(dim=1)):  # (B, kH), (B, 1)
            h, new = self.cell.recur(xw_t, state)
            state = keep_where(m_t, new, state)  # a padded step carries the state unchanged
            outputs.append(h * m_t)  # (B, H): zeros at padded steps
        return torch.stack(outputs, dim=1), real, state
# --8<-- [end:encoder]


# --8<-- [start:bridge]
class Bridge(nn.Module):
    """The encoder's final state (2H numbers for an LSTM) -> k numbers -> the decoder's initial state.

    Two linear maps, v = W_down s + b (k numbers: the context) and z_0 = W_up v + b', so that k is
    the only thing that changes between models of a sweep; the encoder and decoder stay the same.
    """

    def __init__(self, config: Seq2SeqConfig):
        super().__init__()
        self.lstm = config.cell == "lstm"
        width = config.hidden_size * (2 if self.lstm else 1)  # numbers in a state
        self.down = nn.Linear(width, config.bridge)  # (2H,) -> (k,)
        self.up = nn.Linear(config.bridge, width)  # (k,) -> (2H,)

    def forward(self, state):
        flat = torch.cat(state, dim=-1) if self.lstm else state  # (B, 2H): h and c side by side
        out = self.up(self.down(flat))  # (B, 2H), through k numbers
        return tuple(out.chunk(2, dim=-1)) if self.lstm else out  # back to (h, c)
# --8<-- [end:bridge]


# --8<-- [start:decoder]
class Decoder(nn.Module):
    """Embedding + its own cell, started from the context, + a Linear to the target vocabulary."""

    def __init__(self, config: Seq2SeqConfig):
        super().__init__()
        self.embed = nn.Embedding(config.tgt_vocab_size, config.embed_size)
        self.cell = make_cell(config.cell, config.embed_size, config.hidden_size)
        self.head = nn.Linear(config.hidden_size, config.tgt_vocab_size)

    def forward(self, tgt_in, context):
        """Teacher forcing: tgt_in (B, T) = <bos> y_1 ... y_{T-1} -> logits (B, T, V) for y_1 ... y_T."""
        hs, _ = unroll(self.cell, self.embed(tgt_in), context)  # (B, T, H); h_0 = the context
        return self.head(hs)  # (B, T, V)

    def step(self, token, state):
        """Free running, one token at a time: token (B,), state -> logits (B, V) for the next one, new state."""
        h, state = self.cell(self.embed(token), state)  # (B, E) -> h: (B, H)
        return self.head(h), state  # (B, V)
# --8<-- [end:decoder]


# --8<-- [start:seq2seq]
class Seq2Seq(nn.Module):
    """Encoder -> context -> Decoder. forward: src (B, S), src_len (B,), tgt_in (B, T) -> logits (B, T, V)."""

    def __init__(self, config: Seq2SeqConfig):
        super().__init__()
        self.config = config
        self.encoder = Encoder(config)
        self.bridge = Bridge(config) if config.bridge is not None else None  # k numbers, or none
        self.decoder = Decoder(config)

    def encode(self, src, src_len):
        """src (B, S), src_len (B,) -> context: (B, H), or (h, c) each (B, H) for an LSTM."""
        if src_len.min() < 1 or src_len.max() > src.size(1):
            raise ValueError(f"src_len must lie in [1, {src.size(1)}] (the padded source length)")
        state = self.encoder(src, src_len)
        return self.bridge(state) if self.bridge is not None else state

    def forward(self, src, src_len, tgt_in):
        return self.decoder(tgt_in, self.encode(src, src_len))  # (B, T, V)
# --8<-- [end:seq2seq]


def count_parameters(module: nn.Module) -> int:
    """Number of trainable scalars in ``module``."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def context_size(config: Seq2SeqConfig) -> int:
    """Numbers in the context: the bridge's k if there is one, else H, or 2H for an LSTM (h and c)."""
    if config.bridge is not None:
        return config.bridge
    return config.hidden_size * (2 if config.cell == "lstm" else 1)


def map_state(fn, state):
    """Apply ``fn`` to every tensor of a state (a tensor or a tuple of them), e.g. to repeat it per beam."""
    if isinstance(state, tuple):
        return tuple(fn(s) for s in state)
    return fn(state)
