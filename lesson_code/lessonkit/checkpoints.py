"""The checkpoint file every lesson writes: a format tag, a version and plain data, saved atomically.

The file is a ``torch.save`` of plain data (tensors, dicts, lists, strings, numbers), so it loads
with ``torch.load(weights_only=True)``: opening a checkpoint never runs pickled code. A lesson
wraps :func:`save_payload` / :func:`load_payload` with its own model, vocabulary and format tag.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from .files import atomic_write


class CheckpointError(RuntimeError):
    """A checkpoint could not be written or read; the message is one line."""


def first_line(e: BaseException) -> str:
    """The first line of an exception's message, or its type name."""
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def save_payload(path: str | os.PathLike, fmt: str, version: int, payload: dict) -> Path:
    """Write {"format": fmt, "version": version, **payload} to ``path`` atomically; CheckpointError if impossible."""
    path = Path(path)
    if not path.parent.is_dir():
        raise CheckpointError(f"cannot write checkpoint {path}: directory {path.parent} does not exist")
    framed = {"format": fmt, "version": version, **payload}
    try:
        atomic_write(path, lambda f: torch.save(framed, f))
    except Exception as e:
        reason = getattr(e, "strerror", None) or first_line(e)
        raise CheckpointError(f"cannot write checkpoint {path}: {reason}") from e
    return path


def load_payload(path: str | os.PathLike, fmt: str, version: int, what: str, create_hint: str,
                 device: str | torch.device = "cpu") -> dict:
    """Read and check the frame of a checkpoint -> its payload dict; CheckpointError (one line) if unusable.

    ``what`` names the kind of checkpoint in messages ("day-3 char-LM"); ``create_hint`` is the
    command that makes one.
    """
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"checkpoint not found: {path} (create one with: {create_hint})")
    if path.is_dir():
        raise CheckpointError(f"checkpoint path is a directory, not a file: {path}")
    try:
        payload = torch.load(path, map_location=device, weights_only=True)
    except Exception:
        raise CheckpointError(f"cannot read checkpoint {path}: not a valid checkpoint file (corrupt or truncated?)") from None
    if not isinstance(payload, dict) or payload.get("format") != fmt:
        raise CheckpointError(f"{path} is not a {what} checkpoint (format tag {fmt!r} missing)")
    if payload.get("version") != version:
        raise CheckpointError(f"{path} has checkpoint version {payload.get('version')!r}; this code reads version {version}")
    return payload


def state_dict_cpu(model: torch.nn.Module) -> dict:
    """The model's weights as detached CPU tensors, ready for a payload."""
    return {k: v.detach().cpu() for k, v in model.state_dict().items()}
