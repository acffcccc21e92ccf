"""Checkpoints: exact round trip, atomic writes, clear one-line errors."""

import pytest
import torch

from lesson_code.day03 import checkpoint as ck
from lesson_code.day03.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from lesson_code.day03.data import Vocab
from lesson_code.day03.model import CharLMConfig, build_model
from lesson_code.day03.train import set_seed

VOCAB = Vocab.from_text("abcdefgh ijklmnop\n.,;:!?ABC")


def make(backend="scratch", cell="lstm"):
    set_seed(1)
    cfg = CharLMConfig(VOCAB.size, cell=cell, embed_size=8, hidden_size=12, num_layers=2,
                       dropout=0.1, backend=backend)
    return build_model(cfg), cfg


@pytest.mark.parametrize("backend,cell", [("scratch", "lstm"), ("scratch", "gru"), ("torch", "lstm"), ("torch", "rnn")])
def test_round_trip_gives_identical_logits(tmp_path, backend, cell):
    model, cfg = make(backend, cell)
    extra = {"history": {"val_nats": [3.1, 2.5]}, "note": "x", "best": float("inf")}
    path = save_checkpoint(tmp_path / "m.pt", model, VOCAB, cfg, extra)
    loaded, vocab, cfg2, extra2 = load_checkpoint(path)
    assert vocab.chars == VOCAB.chars and cfg2 == cfg and extra2 == extra
    assert type(loaded) is type(model) and not loaded.training
    idx = torch.randint(VOCAB.size, (3, 9), generator=torch.Generator().manual_seed(0))
    model.eval()
    with torch.no_grad():
        a, _ = model(idx)
        b, _ = loaded(idx)
    assert torch.equal(a, b)
    assert [p.name for p in tmp_path.iterdir()] == ["m.pt"]  # no temp files left


def test_failed_write_leaves_no_file(tmp_path, monkeypatch):
    model, cfg = make()

    def broken_save(obj, f, *a, **kw):
        f.write(b"partial bytes")
        raise RuntimeError("disk full")

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(CheckpointError) as info:
        save_checkpoint(tmp_path / "m.pt", model, VOCAB, cfg)
    assert "disk full" in str(info.value) and "\n" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_failed_overwrite_keeps_the_old_file(tmp_path, monkeypatch):
    model, cfg = make()
    path = save_checkpoint(tmp_path / "m.pt", model, VOCAB, cfg, {"v": 1})
    before = path.read_bytes()
    monkeypatch.setattr(torch, "save", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    with pytest.raises(CheckpointError, match="No space left"):
        save_checkpoint(path, model, VOCAB, cfg, {"v": 2})
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["m.pt"]


def test_save_into_missing_directory_is_an_error(tmp_path):
    model, cfg = make()
    with pytest.raises(CheckpointError, match="does not exist"):
        save_checkpoint(tmp_path / "nope" / "m.pt", model, VOCAB, cfg)
    assert list(tmp_path.iterdir()) == []


def _load_error(path) -> str:
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(path)
    msg = str(info.value)
    assert msg and "\n" not in msg
    return msg


def test_load_errors_are_one_line(tmp_path):
    assert "not found" in _load_error(tmp_path / "missing.pt")
    assert "directory" in _load_error(tmp_path)
    (tmp_path / "garbage.pt").write_bytes(b"\x00\x01 this is not a checkpoint" * 10)
    assert "corrupt" in _load_error(tmp_path / "garbage.pt")
    torch.save({"weights": torch.zeros(3)}, tmp_path / "other.pt")
    assert "not a day-3 char-LM checkpoint" in _load_error(tmp_path / "other.pt")

    model, cfg = make()
    good = save_checkpoint(tmp_path / "good.pt", model, VOCAB, cfg)
    data = good.read_bytes()
    (tmp_path / "truncated.pt").write_bytes(data[: len(data) // 2])
    assert "corrupt" in _load_error(tmp_path / "truncated.pt")

    payload = torch.load(good, weights_only=True)
    payload["state_dict"].pop(next(iter(payload["state_dict"])))
    torch.save(payload, tmp_path / "missing_key.pt")
    assert "inconsistent" in _load_error(tmp_path / "missing_key.pt")

    payload = torch.load(good, weights_only=True)
    payload["vocab"] = payload["vocab"][:-1]
    torch.save(payload, tmp_path / "bad_vocab.pt")
    assert "inconsistent" in _load_error(tmp_path / "bad_vocab.pt")

    payload = torch.load(good, weights_only=True)
    payload["version"] = 99
    torch.save(payload, tmp_path / "future.pt")
    assert "version" in _load_error(tmp_path / "future.pt")


def test_checkpoint_loads_without_unpickling_code(tmp_path):
    model, cfg = make()
    path = save_checkpoint(tmp_path / "m.pt", model, VOCAB, cfg, {"a": [1, 2.5, "s", None]})
    payload = torch.load(path, weights_only=True)  # plain data only
    assert payload["format"] == ck.FORMAT and payload["vocab"] == VOCAB.chars
