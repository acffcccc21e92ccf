"""Save and load a trained char-LM: weights, vocabulary, model config and free-form extras.

The file is a ``torch.save`` of plain data (tensors, dicts, lists, strings, numbers), so it loads
with ``torch.load(weights_only=True)``: opening a checkpoint never runs pickled code. Writes are
atomic: the bytes go to a temporary file in the target directory, which ``os.replace`` renames
over the target only once complete, so a crash or an error never leaves a partial file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import torch
import torch.nn as nn

from .data import Vocab
from .model import CharLMConfig, build_model

FORMAT = "lesson_code.day03.charlm"
VERSION = 1


class CheckpointError(RuntimeError):
    """A checkpoint could not be written or read; the message is one line."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def save_checkpoint(path: str | os.PathLike, model: nn.Module, vocab: Vocab,
                    config: CharLMConfig | None = None, extra: dict | None = None) -> Path:
    """Write model weights + vocab + config (+ ``extra``: plain data) to ``path`` atomically; return the path."""
    path = Path(path)
    config = config if config is not None else model.config
    if config.vocab_size != vocab.size:
        raise CheckpointError(f"config.vocab_size={config.vocab_size} but the vocabulary has {vocab.size} characters")
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "model_config": config.to_dict(),
        "vocab": vocab.to_list(),
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "extra": dict(extra or {}),
    }
    if not path.parent.is_dir():
        raise CheckpointError(f"cannot write checkpoint {path}: directory {path.parent} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise CheckpointError(f"cannot write checkpoint {path}: {e.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o666 & ~_umask())  # mkstemp makes 0600; use the usual permissions
            torch.save(payload, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(e, Exception):
            reason = getattr(e, "strerror", None) or _first_line(e)
            raise CheckpointError(f"cannot write checkpoint {path}: {reason}") from e
        raise
    return path


def load_checkpoint(path: str | os.PathLike, device: str | torch.device = "cpu"):
    """Read a checkpoint -> (model in eval mode on ``device``, vocab, config, extra); CheckpointError if unusable."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"checkpoint not found: {path} (create one with: python -m lesson_code.day03 train --checkpoint {path})")
    if path.is_dir():
        raise CheckpointError(f"checkpoint path is a directory, not a file: {path}")
    try:
        payload = torch.load(path, map_location=device, weights_only=True)
    except Exception:
        raise CheckpointError(f"cannot read checkpoint {path}: not a valid checkpoint file (corrupt or truncated?)") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a day-3 char-LM checkpoint (format tag {FORMAT!r} missing)")
    if payload.get("version") != VERSION:
        raise CheckpointError(f"{path} has checkpoint version {payload.get('version')!r}; this code reads version {VERSION}")
    try:
        vocab = Vocab.from_list(payload["vocab"])
        config = CharLMConfig.from_dict(payload["model_config"])
        if config.vocab_size != vocab.size:
            raise ValueError(f"vocab_size {config.vocab_size} != {vocab.size} characters")
        model = build_model(config)
        model.load_state_dict(payload["state_dict"])
    except (KeyError, TypeError, ValueError, RuntimeError) as e:
        raise CheckpointError(f"{path} is an inconsistent checkpoint: {_first_line(e)}") from None
    model.to(device).eval()
    return model, vocab, config, payload.get("extra") or {}
