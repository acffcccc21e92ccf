"""Character-level language model: embedding -> stacked recurrent layers -> linear head.

CharLM uses our cells (cells.py); TorchCharLM has the same API on nn.LSTM/nn.GRU/nn.RNN, for the
speed comparison. States are opaque: pass them back in to continue a sequence, detach them with
detach_states between truncated-BPTT chunks.
"""
import math
from dataclasses import dataclass

import torch
import torch.nn as nn

from lesson_code.lessonkit.configs import DictConfig

from .cells import CELL_TYPES, make_cell, unroll
from .init import set_forget_bias

BACKENDS = ("scratch", "torch")


# --8<-- [start:config]
@dataclass
class CharLMConfig(DictConfig):
    vocab_size: int
    cell: str = "lstm"  # "rnn" | "lstm" | "gru"
    embed_size: int = 64
    hidden_size: int = 256
    num_layers: int = 2
    dropout: float = 0.0  # between layers and before the head
    backend: str = "scratch"  # "scratch" = our cells, "torch" = nn.LSTM / nn.GRU / nn.RNN
    forget_bias: float | None = None  # LSTM only: start b_f here (init.set_forget_bias); None = default init
# --8<-- [end:config]

    def __post_init__(self):
        if self.cell not in CELL_TYPES:
            raise ValueError(f"unknown cell {self.cell!r}; expected one of {CELL_TYPES}")
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown backend {self.backend!r}; expected one of {BACKENDS}")
        for name in ("vocab_size", "embed_size", "hidden_size", "num_layers"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.forget_bias is not None:
            if self.cell != "lstm":
                raise ValueError(f"forget_bias is an LSTM setting; cell {self.cell!r} has no forget gate")
            if not math.isfinite(self.forget_bias):
                raise ValueError(f"forget_bias must be a finite number, got {self.forget_bias}")


# --8<-- [start:char_lm]
class CharLM(nn.Module):
    """Embedding -> num_layers of our cells -> Linear. forward: idx (B, T) -> logits (B, T, V), states."""

    def __init__(self, config: CharLMConfig):
        super().__init__()
        c = self.config = config
        self.embed = nn.Embedding(c.vocab_size, c.embed_size)
        self.cells = nn.ModuleList(
            make_cell(c.cell, c.embed_size if layer == 0 else c.hidden_size, c.hidden_size)
            for layer in range(c.num_layers))
        self.drop = nn.Dropout(c.dropout)
        self.head = nn.Linear(c.hidden_size, c.vocab_size)
        self.unroll = unroll  # benchmarks swap in cells.unroll_stepwise

    def init_states(self, batch_size: int, like: torch.Tensor):
        """Zero states, one per layer, on like's device (dtype: like's if float, else the model's)."""
        dtype = like.dtype if like.is_floating_point() else self.head.weight.dtype
        x = torch.zeros(batch_size, 1, device=like.device, dtype=dtype)
        return [cell.init_state(x) for cell in self.cells]

    def forward(self, idx, states=None):
        x = self.embed(idx)  # (B, T, E)
        if states is None:
            states = [cell.init_state(x) for cell in self.cells]  # dtype follows the model: works in float64
        new_states = []
        for layer, (cell, state) in enumerate(zip(self.cells, states)):
            if layer > 0:
                x = self.drop(x)  # dropout between layers
            x, state = self.unroll(cell, x, state)  # (B, T, H)
            new_states.append(state)
        logits = self.head(self.drop(x))  # (B, T, V)
        return logits, new_states
# --8<-- [end:char_lm]


class TorchCharLM(nn.Module):
    """CharLM's twin on nn.LSTM / nn.GRU / nn.RNN (batch_first). States: (h, c) or h, each (L, B, H)."""

    def __init__(self, config: CharLMConfig):
        super().__init__()
        c = self.config = config
        rnn_cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[c.cell]
        self.embed = nn.Embedding(c.vocab_size, c.embed_size)
        self.rnn = rnn_cls(c.embed_size, c.hidden_size, c.num_layers, batch_first=True,
                           dropout=c.dropout if c.num_layers > 1 else 0.0)  # between layers
        self.drop = nn.Dropout(c.dropout)
        self.head = nn.Linear(c.hidden_size, c.vocab_size)

    def init_states(self, batch_size: int, like: torch.Tensor):
        """Zero states on like's device (dtype: like's if float, else the model's)."""
        dtype = like.dtype if like.is_floating_point() else self.head.weight.dtype
        h = torch.zeros(self.config.num_layers, batch_size, self.config.hidden_size,
                        device=like.device, dtype=dtype)
        return (h, torch.zeros_like(h)) if self.config.cell == "lstm" else h

    def forward(self, idx, states=None):
        x, states = self.rnn(self.embed(idx), states)  # (B, T, H)
        return self.head(self.drop(x)), states  # (B, T, V)


def build_model(config: CharLMConfig) -> nn.Module:
    """CharLM for backend "scratch", TorchCharLM for backend "torch"; the forget bias set if the config asks."""
    model = CharLM(config) if config.backend == "scratch" else TorchCharLM(config)
    if config.forget_bias is not None:
        set_forget_bias(model, config.forget_bias)
    return model


def detach_states(states):
    """The same nested tuples/lists of tensors, every tensor detached (cuts BPTT between chunks)."""
    if isinstance(states, torch.Tensor):
        return states.detach()
    if isinstance(states, (tuple, list)):
        return type(states)(detach_states(s) for s in states)
    if states is None:
        return None
    raise TypeError(f"cannot detach states of type {type(states).__name__}")


def count_parameters(model: nn.Module) -> int:
    """Total number of scalar parameters."""
    return sum(p.numel() for p in model.parameters())
