"""Read the gate activations of our LSTMCell (the cell itself only returns h and (h, c))."""
import torch

from ..cells import LSTMCell


@torch.no_grad()
def lstm_gates(cell: LSTMCell, x: torch.Tensor, state):
    """Gates of one LSTM step, after their nonlinearities: x (B, n), state (h, c) -> dict of
    i, f, o (sigmoid) and g (tanh), each (B, H). Same matmuls as the cell (gate order i, f, g, o)."""
    h, _ = state
    i, f, g, o = (cell.W_x(x) + cell.W_h(h)).chunk(4, dim=-1)
    return {"i": torch.sigmoid(i), "f": torch.sigmoid(f), "g": torch.tanh(g), "o": torch.sigmoid(o)}
