"""browser_export: the bytes the playground reads decode to the model (both backends), int8 error is
within half a step per row, the choice follows the budget, same model -> same bytes, clear errors."""
import hashlib
import json

import numpy as np
import pytest
import torch

from lesson_code.day03 import browser_export as bx
from lesson_code.day03.corpus import load_excerpt
from lesson_code.day03.data import Vocab
from lesson_code.day03.model import CharLMConfig, build_model
from lesson_code.day03.torch_compat import copy_charlm_to_torch

TEXT = load_excerpt()
VOCAB = Vocab.from_text(TEXT)
IDS = VOCAB.encode(TEXT)


def tiny(backend="torch", cell="lstm", seed=0):
    torch.manual_seed(seed)
    return build_model(CharLMConfig(vocab_size=VOCAB.size, cell=cell, embed_size=8, hidden_size=12, num_layers=2,
                                    backend=backend)).eval()


def read_back(out_dir) -> dict[str, np.ndarray]:
    """The tensors as lstm.js decodes them, from the manifest and the .bin alone."""
    m = json.loads((out_dir / bx.MANIFEST).read_text())
    buf = (out_dir / m["weights"]).read_bytes()
    out = {}
    for t in m["tensors"]:
        n = int(np.prod(t["shape"]))
        if t["dtype"] == "int8":
            q = np.frombuffer(buf, "<i1", n, t["offset"]).reshape(t["shape"]).astype(np.float32)
            s = np.frombuffer(buf, "<f4", t["shape"][0], t["scales"])
            out[t["name"]] = q * s[:, None]
        else:
            dtype = {"float32": "<f4", "float16": "<f2"}[t["dtype"]]
            out[t["name"]] = np.frombuffer(buf, dtype, n, t["offset"]).reshape(t["shape"]).astype(np.float32)
        assert t["offset"] % 4 == 0
    return out


@pytest.mark.parametrize("encoding", ["fp32", "fp16", "int8"])
def test_bytes_decode_to_the_decoded_model(tmp_path, encoding):
    model = tiny()
    quotes = bx.export_for_browser(model, VOCAB, tmp_path, IDS[:2000], encoding=encoding)
    got = read_back(tmp_path)
    twin = bx.decoded_model(model, encoding)
    for name, t in bx.lstm_tensors(twin):
        assert np.array_equal(got[name], t.numpy()), name  # bit-exact: the browser sees these weights
    if encoding == "fp32":
        assert quotes["quantised_val_nats"] == quotes["val_nats"] and quotes["ref_kl_nats"] == 0


def test_int8_error_is_half_a_step_per_row():
    w = torch.randn(40, 30) * torch.logspace(-3, 1, 40)[:, None]  # rows of very different scales
    q, s = bx.encode_int8(w)
    assert q.dtype == torch.int8 and q.abs().max() <= 127
    assert ((q.float() * s[:, None] - w).abs() <= s[:, None] / 2 + 1e-7).all()
    assert torch.equal(bx.encode_int8(torch.zeros(2, 3))[0], torch.zeros(2, 3, dtype=torch.int8))


def test_scratch_and_torch_backends_export_the_same_tensors():
    scratch = tiny("scratch")
    torch_model = tiny("torch", seed=1)
    copy_charlm_to_torch(scratch, torch_model)
    a, b = bx.lstm_tensors(scratch), bx.lstm_tensors(torch_model)
    assert [n for n, _ in a] == [n for n, _ in b] == ["embed", "0.W_x", "0.W_h", "0.b", "1.W_x", "1.W_h", "1.b",
                                                      "head.W", "head.b"]
    for (name, x), (_, y) in zip(a, b):
        assert torch.allclose(x, y, atol=1e-7), name


def test_same_model_same_bytes_and_choice_follows_budget(tmp_path, monkeypatch):
    model = tiny()
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir(), (tmp_path / "c").mkdir()
    qa = bx.export_for_browser(model, VOCAB, tmp_path / "a", IDS[:3000])
    qb = bx.export_for_browser(model, VOCAB, tmp_path / "b", IDS[:3000])
    assert qa == qb and qa["encoding"] == "fp16"  # tiny: fp16 fits, and is the more accurate
    for f in sorted((tmp_path / "a").iterdir()):
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name
    manifest = json.loads((tmp_path / "a" / bx.MANIFEST).read_text())
    weights = manifest["weights"]  # the name carries the content's hash
    assert weights == bx.weights_file_name(manifest["weights_sha256"])
    assert weights == f"playground-weights.{hashlib.sha256((tmp_path / 'a' / weights).read_bytes()).hexdigest()[:12]}.bin"
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(
        [weights, bx.MANIFEST, bx.REFERENCE, bx.REFERENCE_LOGITS])
    fp16 = qa["fp16_gzip_kb"] * 1000
    monkeypatch.setattr(bx, "WIRE_BUDGET", int(fp16) - 1)
    assert bx.export_for_browser(model, VOCAB, tmp_path / "c", None, reference_prompt=TEXT[:50])["encoding"] == "int8"
    monkeypatch.setattr(bx, "WIRE_BUDGET", 10)
    with pytest.raises(bx.ExportError, match="no encoding fits"):
        bx.export_for_browser(model, VOCAB, tmp_path / "c", None, reference_prompt=TEXT[:50])


def test_reference_logits_are_pytorch_on_the_prompt(tmp_path):
    model = tiny("scratch")
    bx.export_for_browser(model, VOCAB, tmp_path, IDS[:3000], encoding="int8")
    ref = json.loads((tmp_path / bx.REFERENCE).read_text())
    assert ref["prompt"] == TEXT[:bx.REFERENCE_CHARS]  # the first characters of the held-out ids
    logits = np.frombuffer((tmp_path / bx.REFERENCE_LOGITS).read_bytes(), "<f4").reshape(ref["logits_shape"])
    with torch.no_grad():
        want = model(VOCAB.encode(ref["prompt"]).view(1, -1))[0][0].numpy()
    assert np.abs(logits[0] - want).max() < 1e-5
    assert model.training is False and next(model.parameters()).dtype == torch.float32  # caller's model untouched


@pytest.mark.parametrize("cell", ["gru", "rnn"])
def test_non_lstm_is_a_clear_error(tmp_path, cell):
    with pytest.raises(bx.ExportError, match="LSTMs only"):
        bx.export_for_browser(tiny(cell=cell), VOCAB, tmp_path, None, reference_prompt=TEXT[:50])


def test_bad_arguments_are_clear_errors(tmp_path):
    with pytest.raises(bx.ExportError, match="does not exist"):
        bx.export_for_browser(tiny(), VOCAB, tmp_path / "missing", IDS)
    with pytest.raises(bx.ExportError, match="unknown weight encoding"):
        bx.export_for_browser(tiny(), VOCAB, tmp_path, IDS, encoding="int4")
    with pytest.raises(bx.ExportError, match="at least 33 validation characters"):
        bx.export_for_browser(tiny(), VOCAB, tmp_path, IDS, max_val_chars=5)
    with pytest.raises(bx.ExportError, match="outside the vocabulary"):
        bx.export_for_browser(tiny(), VOCAB, tmp_path, None, reference_prompt="ROMEO \u00e9")
    assert list(tmp_path.iterdir()) == []  # nothing half-written
