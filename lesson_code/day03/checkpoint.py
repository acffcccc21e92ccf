"""Save and load a trained char-LM: weights, vocabulary, model config and free-form extras.

The framing (format tag, version, atomic write, a load that never runs pickled code) is
lessonkit's (:mod:`lesson_code.lessonkit.checkpoints`); this module says what a Day 3 checkpoint holds.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
import torch.nn as nn

from lesson_code.lessonkit.checkpoints import CheckpointError, first_line, load_payload, save_payload, state_dict_cpu

from .data import Vocab
from .model import CharLMConfig, build_model

FORMAT = "lesson_code.day03.charlm"
VERSION = 1
__all__ = ["CheckpointError", "FORMAT", "VERSION", "load_checkpoint", "save_checkpoint"]


def save_checkpoint(path: str | os.PathLike, model: nn.Module, vocab: Vocab,
                    config: CharLMConfig | None = None, extra: dict | None = None) -> Path:
    """Write model weights + vocab + config (+ ``extra``: plain data) to ``path`` atomically; return the path."""
    config = config if config is not None else model.config
    if config.vocab_size != vocab.size:
        raise CheckpointError(f"config.vocab_size={config.vocab_size} but the vocabulary has {vocab.size} characters")
    return save_payload(path, FORMAT, VERSION, {
        "model_config": config.to_dict(),
        "vocab": vocab.to_list(),
        "state_dict": state_dict_cpu(model),
        "extra": dict(extra or {}),
    })


def load_checkpoint(path: str | os.PathLike, device: str | torch.device = "cpu"):
    """Read a checkpoint -> (model in eval mode on ``device``, vocab, config, extra); CheckpointError if unusable."""
    payload = load_payload(path, FORMAT, VERSION, "day-3 char-LM",
                           f"python -m lesson_code.day03 train --checkpoint {path}", device)
    try:
        vocab = Vocab.from_list(payload["vocab"])
        config = CharLMConfig.from_dict(payload["model_config"])
        if config.vocab_size != vocab.size:
            raise ValueError(f"vocab_size {config.vocab_size} != {vocab.size} characters")
        model = build_model(config)
        model.load_state_dict(payload["state_dict"])
    except (KeyError, TypeError, ValueError, RuntimeError) as e:
        raise CheckpointError(f"{path} is an inconsistent checkpoint: {first_line(e)}") from None
    model.to(device).eval()
    return model, vocab, config, payload.get("extra") or {}
