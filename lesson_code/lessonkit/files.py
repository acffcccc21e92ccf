"""Atomic writes, deterministic JSON and SHA-256: the file plumbing every lesson and builder shares.

Atomic: bytes go to a temporary file in the target's directory, which ``os.replace`` renames over
the target only once complete and flushed, so a crash or an error never leaves a partial file.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike) -> str:
    """Hex SHA-256 of the file at ``path``, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike, write, mode: str = "wb") -> Path:
    """Call ``write(f)`` on a temporary file beside ``path``, then rename it over ``path``; return the path.

    ``mode`` is "wb" (bytes) or "w" (UTF-8 text).
    The parent directory is created if missing. On any error the temporary file is removed and
    the target is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
            os.fchmod(f.fileno(), 0o666 & ~_umask())  # mkstemp makes 0600; use the usual permissions
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return atomic_write(path, lambda f: f.write(data))


def json_text(data) -> str:
    """Plain data as sorted, indented JSON with a final newline; NaN and infinity are refused."""
    return json.dumps(data, indent=1, sort_keys=True, allow_nan=False) + "\n"


def write_json(path: str | os.PathLike, data) -> Path:
    """Write plain data as :func:`json_text` atomically (byte-identical for identical data)."""
    return atomic_write_bytes(path, json_text(data).encode("utf-8"))


def one_line(msg: object) -> str:
    """Collapse a message (or an exception's text) to a single line."""
    return " ".join(str(msg).split()) or (type(msg).__name__ if isinstance(msg, BaseException) else "unknown error")
