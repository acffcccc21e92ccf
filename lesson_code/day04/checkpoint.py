"""Save and load a trained number reader: weights, model and training config, free-form extras.

The framing (format tag, version, atomic write, a load that never runs pickled code) is
lessonkit's; the vocabularies are the task's own (:mod:`.numbers`), stored too so that a
checkpoint can be checked against the code that reads it.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from lesson_code.lessonkit.checkpoints import CheckpointError, first_line, load_payload, save_payload, state_dict_cpu

from .model import Seq2Seq, Seq2SeqConfig
from .numbers import source_vocab, target_vocab

FORMAT = "lesson_code.day04.seq2seq"
VERSION = 1
__all__ = ["CheckpointError", "FORMAT", "VERSION", "load_checkpoint", "save_checkpoint"]


def save_checkpoint(path: str | os.PathLike, model: Seq2Seq, extra: dict | None = None) -> Path:
    """Write the model (weights + config), the task's vocabularies and ``extra`` (plain data) atomically."""
    return save_payload(path, FORMAT, VERSION, {
        "model_config": model.config.to_dict(),
        "src_vocab": source_vocab().to_list(),
        "tgt_vocab": target_vocab().to_list(),
        "state_dict": state_dict_cpu(model),
        "extra": dict(extra or {}),
    })


def load_checkpoint(path: str | os.PathLike, device: str | torch.device = "cpu") -> tuple[Seq2Seq, dict]:
    """Read a checkpoint -> (model in eval mode on ``device``, extra); CheckpointError (one line) if unusable."""
    payload = load_payload(path, FORMAT, VERSION, "day-4 seq2seq",
                           f"python -m lesson_code.day04 train --checkpoint {path}", device)
    try:
        if payload["src_vocab"] != source_vocab().to_list() or payload["tgt_vocab"] != target_vocab().to_list():
            raise ValueError("its vocabularies differ from this code's number words and digits")
        model = Seq2Seq(Seq2SeqConfig.from_dict(payload["model_config"]))
        model.load_state_dict(payload["state_dict"])
    except (KeyError, TypeError, ValueError, RuntimeError) as e:
        raise CheckpointError(f"{path} is an inconsistent checkpoint: {first_line(e)}") from None
    model.to(device).eval()
    return model, payload.get("extra") or {}
