"""CharLM / TorchCharLM: shapes, float64, state carry-over, equal logits after weight copy, parameter counts."""
import pytest
import torch

from lesson_code.day03.cells import CELL_TYPES
from lesson_code.day03.model import (CharLM, CharLMConfig, TorchCharLM, build_model, count_parameters,
                                     detach_states)
from lesson_code.day03.torch_compat import copy_charlm_to_torch, copy_torch_to_charlm

V, E, H, L = 11, 6, 10, 2
TOL = {torch.float32: 1e-6, torch.float64: 1e-12}
BACKENDS = ("scratch", "torch")


def tiny(cell="lstm", backend="scratch", **kw):
    return CharLMConfig(vocab_size=V, cell=cell, embed_size=E, hidden_size=H, num_layers=L, backend=backend, **kw)


def idx(b=3, t=12, seed=0):
    return torch.randint(0, V, (b, t), generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("cell", CELL_TYPES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_shapes_dtype_and_chunked_states(cell, backend, dtype):
    torch.manual_seed(0)
    model = build_model(tiny(cell, backend)).to(dtype).eval()
    assert isinstance(model, CharLM if backend == "scratch" else TorchCharLM)
    x = idx()
    logits, states = model(x)  # states=None works in float64 too
    assert logits.shape == (3, 12, V) and logits.dtype == dtype
    pieces, s = [], None
    for chunk in x.split([5, 1, 6], dim=1):
        out, s = model(chunk, s)
        s = detach_states(s)
        pieces.append(out)
    assert (torch.cat(pieces, 1) - logits).abs().max().item() <= TOL[dtype]
    zero = model.init_states(3, x)  # like=idx (long): the states still take the model's dtype
    out0, _ = model(x, zero)
    assert (out0 - logits).abs().max().item() == 0.0


def test_detach_states():
    model = CharLM(tiny())
    _, states = model(idx())
    assert all(t.requires_grad for s in states for t in s)
    detached = detach_states(states)
    assert isinstance(detached, list) and isinstance(detached[0], tuple)
    assert not any(t.requires_grad for s in detached for t in s)


@pytest.mark.parametrize("cell", CELL_TYPES)
def test_scratch_and_torch_give_equal_logits(cell):
    torch.manual_seed(0)
    ours, theirs = CharLM(tiny(cell)), TorchCharLM(tiny(cell, "torch"))
    copy_charlm_to_torch(ours, theirs)
    x = idx(t=30)
    a, b = ours(x)[0], theirs(x)[0]
    assert (a - b).abs().max().item() <= 1e-6 and a.abs().max() > 0.1
    back = CharLM(tiny(cell))
    copy_torch_to_charlm(theirs, back)
    assert (back(x)[0] - b).abs().max().item() <= 1e-6


def test_recurrent_parameter_counts_are_1_4_3():
    def recurrent(model):
        return count_parameters(model) - count_parameters(model.embed) - count_parameters(model.head)

    n = {(c, b): recurrent(build_model(tiny(c, b))) for c in CELL_TYPES for b in BACKENDS}
    per_layer_weights = [E * H + H * H, H * H + H * H]  # W_x + W_h of layer 1, layer 2
    # torch: every cell has two biases per gate block, so whole counts go exactly 1 : 4 : 3
    unit = sum(per_layer_weights) + L * 2 * H
    assert (n["rnn", "torch"], n["lstm", "torch"], n["gru", "torch"]) == (unit, 4 * unit, 3 * unit)
    # ours: RNN and LSTM keep one bias (b_ih + b_hh); GRU keeps two because b_hn sits inside r ⊙ (...)
    unit = sum(per_layer_weights) + L * H
    assert (n["rnn", "scratch"], n["lstm", "scratch"]) == (unit, 4 * unit)
    assert n["gru", "scratch"] == 3 * unit + L * 3 * H
    assert count_parameters(CharLM(tiny())) == n["lstm", "scratch"] + V * E + H * V + V


def test_config_round_trip_and_validation():
    cfg = tiny("gru", "torch", dropout=0.1)
    assert CharLMConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="unknown cell"):
        CharLMConfig(vocab_size=3, cell="transformer")
    with pytest.raises(ValueError, match="backend"):
        CharLMConfig(vocab_size=3, backend="jax")
    with pytest.raises(ValueError, match="unknown CharLMConfig keys"):
        CharLMConfig.from_dict({"vocab_size": 3, "hidden": 4})


@pytest.mark.parametrize("backend", BACKENDS)
def test_forget_bias_in_the_config(backend):
    """forget_bias=1 gives every LSTM layer an effective forget bias of exactly 1 and changes nothing
    else; None leaves torch's initialisation (the same weights as before the option existed)."""
    torch.manual_seed(0)
    plain = build_model(tiny(backend=backend))
    torch.manual_seed(0)
    biased = build_model(tiny(backend=backend, forget_bias=1.0))
    changed = [n for (n, a), (_, b) in zip(plain.named_parameters(), biased.named_parameters()) if not torch.equal(a, b)]
    assert changed and all("bias" in n and "head" not in n for n in changed)
    for layer in range(L):
        if backend == "scratch":
            eff = biased.cells[layer].W_h.bias[H:2 * H]
        else:
            eff = getattr(biased.rnn, f"bias_ih_l{layer}")[H:2 * H] + getattr(biased.rnn, f"bias_hh_l{layer}")[H:2 * H]
        assert torch.all(eff == 1.0)
    cfg = tiny(backend=backend, forget_bias=1.0)
    assert CharLMConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="forget_bias is an LSTM setting"):
        tiny("gru", backend, forget_bias=1.0)
    with pytest.raises(ValueError, match="finite"):
        tiny(backend=backend, forget_bias=float("inf"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_dropout_only_in_train_mode(backend):
    torch.manual_seed(0)
    model = build_model(tiny("lstm", backend, dropout=0.5))
    x = idx()
    model.train()
    assert not torch.equal(model(x)[0], model(x)[0])
    model.eval()
    assert torch.equal(model(x)[0], model(x)[0])
