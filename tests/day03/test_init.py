"""set_forget_bias changes exactly the forget slice [H:2H] of every LSTM bias and nothing else."""
import pytest
import torch
import torch.nn as nn

from lesson_code.day03.init import set_forget_bias
from lesson_code.day03.model import CharLM, CharLMConfig

H = 8


def snapshot(module):
    return {k: v.detach().clone() for k, v in module.named_parameters()}


def changed(before, module):
    """{name: boolean mask of the elements that changed}, for parameters with any change."""
    out = {}
    for k, v in module.named_parameters():
        mask = v.detach() != before[k]
        if mask.any():
            out[k] = mask
    return out


def forget_mask(n):
    mask = torch.zeros(n, dtype=torch.bool)
    mask[H:2 * H] = True
    return mask


def test_charlm_only_forget_slices_change():
    torch.manual_seed(0)
    cfg = CharLMConfig(vocab_size=5 * H, cell="lstm", embed_size=6, hidden_size=H, num_layers=2)  # V > 2H
    model = CharLM(cfg)
    before = snapshot(model)
    assert set_forget_bias(model, 1.0) == 2
    diff = changed(before, model)
    assert set(diff) == {"cells.0.W_h.bias", "cells.1.W_h.bias"}  # head.bias untouched
    for name, mask in diff.items():
        assert torch.equal(mask, forget_mask(4 * H)), name
        assert torch.all(dict(model.named_parameters())[name][H:2 * H] == 1.0)


def test_spec_loop_would_touch_the_head():
    """The lesson's `if 'bias' in name` loop also rewrites the output layer: the reason for set_forget_bias."""
    torch.manual_seed(0)
    model = CharLM(CharLMConfig(vocab_size=5 * H, hidden_size=H, embed_size=6))
    before = snapshot(model)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "bias" in name:
                p[p.size(0) // 4:2 * (p.size(0) // 4)] = 1.0
    assert "head.bias" in changed(before, model)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_nn_lstm_all_layers_and_directions(bidirectional):
    torch.manual_seed(0)
    model = nn.Sequential(nn.LSTM(6, H, num_layers=3, bidirectional=bidirectional), nn.Linear(H, 5 * H))
    lstm = model[0]
    before = snapshot(model)
    n_dir = 2 if bidirectional else 1
    assert set_forget_bias(model, 1.5) == 3 * n_dir
    diff = changed(before, model)
    suffixes = [f"_l{k}{r}" for k in range(3) for r in (["", "_reverse"] if bidirectional else [""])]
    assert set(diff) == {f"0.bias_{w}{s}" for s in suffixes for w in ("ih", "hh")}
    for name, mask in diff.items():
        assert torch.equal(mask, forget_mask(4 * H)), name
    for s in suffixes:
        b_ih, b_hh = getattr(lstm, "bias_ih" + s), getattr(lstm, "bias_hh" + s)
        assert torch.all(b_ih[H:2 * H] + b_hh[H:2 * H] == 1.5)  # the effective bias


def test_nn_lstm_cell():
    torch.manual_seed(0)
    cell = nn.LSTMCell(6, H)
    before = snapshot(cell)
    assert set_forget_bias(cell, -2.0) == 1
    diff = changed(before, cell)
    assert set(diff) == {"bias_ih", "bias_hh"}
    assert all(torch.equal(m, forget_mask(4 * H)) for m in diff.values())
    assert torch.all(cell.bias_ih[H:2 * H] + cell.bias_hh[H:2 * H] == -2.0)


def test_no_lstm_and_no_bias():
    assert set_forget_bias(CharLM(CharLMConfig(vocab_size=7, cell="gru", hidden_size=H)), 1.0) == 0
    with pytest.raises(ValueError, match="bias=False"):
        set_forget_bias(nn.LSTM(3, H, bias=False), 1.0)
