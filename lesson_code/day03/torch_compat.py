"""Copy weights between our cells and torch's (nn.RNNCell/LSTMCell/GRUCell, or one layer of
nn.RNN/LSTM/GRU), so tests can check our cells against torch and benchmarks compare equal models.

torch keeps two biases (b_ih, b_hh); our RNN and LSTM keep one (W_h's bias = b_ih + b_hh).
Our GRU keeps both, as torch does, because b_hn sits inside r ⊙ (W_hn h + b_hn).
"""
import torch
import torch.nn as nn

from .cells import Cell, GRUCell, LSTMCell, RNNCell

_TORCH_CELLS = {RNNCell: nn.RNNCell, LSTMCell: nn.LSTMCell, GRUCell: nn.GRUCell}


def _check(cell: Cell):
    if isinstance(cell, GRUCell) and not cell.reset_after:
        raise ValueError("torch's GRU is the reset_after=True variant; a reset_after=False GRUCell has no torch twin")


def _torch_params(mod: nn.Module, suffix: str):
    """(weight_ih, weight_hh, bias_ih, bias_hh) of a torch cell (suffix "") or of one layer of
    nn.RNN/LSTM/GRU (suffix "_l0", "_l1_reverse", ...)."""
    return tuple(getattr(mod, name + suffix) for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))


def _our_params(cell: Cell):
    """(W_x, W_h) Linear layers of our cell, whatever the cell calls them."""
    return (cell.W_xh, cell.W_hh) if isinstance(cell, RNNCell) else (cell.W_x, cell.W_h)


@torch.no_grad()
def copy_to_torch(cell: Cell, mod: nn.Module, suffix: str = ""):
    """Write our cell's weights into a torch cell (or into layer `suffix` of a torch RNN module)."""
    _check(cell)
    W_x, W_h = _our_params(cell)
    w_ih, w_hh, b_ih, b_hh = _torch_params(mod, suffix)
    w_ih.copy_(W_x.weight)
    w_hh.copy_(W_h.weight)
    if isinstance(cell, GRUCell):
        b_ih.copy_(W_x.bias)
        b_hh.copy_(W_h.bias)
    else:  # one bias on our side: put all of it in b_ih
        b_ih.copy_(W_h.bias)
        b_hh.zero_()


@torch.no_grad()
def copy_from_torch(cell: Cell, mod: nn.Module, suffix: str = ""):
    """Write a torch cell's weights (or layer `suffix` of a torch RNN module) into our cell."""
    _check(cell)
    W_x, W_h = _our_params(cell)
    w_ih, w_hh, b_ih, b_hh = _torch_params(mod, suffix)
    W_x.weight.copy_(w_ih)
    W_h.weight.copy_(w_hh)
    if isinstance(cell, GRUCell):
        W_x.bias.copy_(b_ih)
        W_h.bias.copy_(b_hh)
    else:  # the two biases are only ever added: b = b_ih + b_hh
        W_h.bias.copy_(b_ih + b_hh)


def torch_cell_like(cell: Cell) -> nn.Module:
    """A torch nn.RNNCell/LSTMCell/GRUCell holding the same weights, dtype and device as `cell`."""
    _check(cell)
    ref = next(cell.parameters())
    twin = _TORCH_CELLS[type(cell)](cell.input_size, cell.hidden_size).to(ref)
    copy_to_torch(cell, twin)
    return twin


@torch.no_grad()
def copy_charlm_to_torch(src: nn.Module, dst: nn.Module):
    """Copy a from-scratch CharLM into a TorchCharLM of the same config (embedding, every layer, head)."""
    dst.embed.weight.copy_(src.embed.weight)
    for layer, cell in enumerate(src.cells):
        copy_to_torch(cell, dst.rnn, f"_l{layer}")
    dst.head.load_state_dict(src.head.state_dict())


@torch.no_grad()
def copy_torch_to_charlm(src: nn.Module, dst: nn.Module):
    """Copy a TorchCharLM into a from-scratch CharLM of the same config."""
    dst.embed.weight.copy_(src.embed.weight)
    for layer, cell in enumerate(dst.cells):
        copy_from_torch(cell, src.rnn, f"_l{layer}")
    dst.head.load_state_dict(src.head.state_dict())
