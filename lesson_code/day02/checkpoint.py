"""Save and load a trained glyph classifier: weights, model config, free-form extras.

The framing (format tag, version, atomic write, a load that never runs pickled code) is lessonkit's.
"""
from __future__ import annotations

import os
from pathlib import Path

import torch

from lesson_code.lessonkit.checkpoints import CheckpointError, first_line, load_payload, save_payload, state_dict_cpu

from .model import ModelConfig, build
from .shapes import CLASSES

FORMAT = "lesson_code.day02.classifier"
VERSION = 1
__all__ = ["CheckpointError", "FORMAT", "VERSION", "load_checkpoint", "save_checkpoint"]


def save_checkpoint(path: str | os.PathLike, model: torch.nn.Module, config: ModelConfig,
                    extra: dict | None = None) -> Path:
    """Write weights, config, the class names and ``extra`` (plain data) atomically."""
    return save_payload(path, FORMAT, VERSION, {"model_config": config.to_dict(), "classes": list(CLASSES),
                                                "state_dict": state_dict_cpu(model), "extra": dict(extra or {})})


def load_checkpoint(path: str | os.PathLike, device: str | torch.device = "cpu") -> tuple[torch.nn.Module, ModelConfig, dict]:
    """Read a checkpoint -> (model in eval mode, its config, extra); CheckpointError (one line) if unusable."""
    payload = load_payload(path, FORMAT, VERSION, "day-2 classifier",
                           f"python -m lesson_code.day02 train --checkpoint {path}", device)
    try:
        if payload["classes"] != list(CLASSES):
            raise ValueError("its classes differ from this code's glyphs")
        config = ModelConfig.from_dict(payload["model_config"])
        model = build(config)
        model.load_state_dict(payload["state_dict"])
    except (KeyError, TypeError, ValueError, RuntimeError) as e:
        raise CheckpointError(f"{path} is an inconsistent checkpoint: {first_line(e)}") from None
    model.to(device).eval()
    return model, config, payload.get("extra") or {}
