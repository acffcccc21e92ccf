"""Recurrent cells written from scratch: vanilla RNN, LSTM and GRU (no nn.RNN/nn.LSTM/nn.GRU inside).

Every cell has the same contract, so the model and the experiments can swap them:

    state = cell.init_state(x)      # zeros like x: dtype and device follow the input; x: (B, ...)
    h, state = cell(x, state)       # one time step; x: (B, n), h: (B, H)

A step is split in two halves. `project_input` is the part that only needs x_t (W_x x_t), so
`unroll` runs it for all T steps in one matmul; `recur` is the part that needs h_{t-1}.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


# --8<-- [start:cell_base]
class Cell(nn.Module):
    """Shared plumbing: torch's default init, zero state, and step = recur(project_input(x))."""

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.hidden_size)  # torch's default: every weight and bias ~ U(-1/√H, 1/√H)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def init_state(self, x):
        return x.new_zeros(x.size(0), self.hidden_size)  # h_0 = 0: (B, H)

    def forward(self, x, state):
        return self.recur(self.project_input(x), state)  # x: (B, n) -> h: (B, H), new state
# --8<-- [end:cell_base]


# --8<-- [start:rnn_cell]
class RNNCell(Cell):
    """Vanilla RNN: h_t = tanh(W_xh x_t + W_hh h_{t-1} + b). The state is h: (B, H)."""

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__(input_size, hidden_size)
        self.W_xh = nn.Linear(input_size, hidden_size, bias=False)  # W_xh: (H, n)
        self.W_hh = nn.Linear(hidden_size, hidden_size)  # W_hh: (H, H) and b: (H,)
        self.reset_parameters()

    def project_input(self, x):  # (..., n) -> (..., H)
        return self.W_xh(x)  # W_xh x_t

    def recur(self, xw, h):  # xw = W_xh x_t: (B, H); h = h_{t-1}: (B, H)
        h = torch.tanh(xw + self.W_hh(h))  # h_t = tanh(W_xh x_t + W_hh h_{t-1} + b)
        return h, h
# --8<-- [end:rnn_cell]


# --8<-- [start:lstm_cell]
class LSTMCell(Cell):
    """LSTM with the four gates (order i, f, g, o as in torch) from one matmul on x and one on h.
    The state is (h, c), each (B, H)."""

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__(input_size, hidden_size)
        self.W_x = nn.Linear(input_size, 4 * hidden_size, bias=False)  # [W_xi; W_xf; W_xg; W_xo]: (4H, n)
        self.W_h = nn.Linear(hidden_size, 4 * hidden_size)  # [W_hi; W_hf; W_hg; W_ho]: (4H, H), b: (4H,)
        self.reset_parameters()

    def init_state(self, x):
        h = x.new_zeros(x.size(0), self.hidden_size)  # (B, H)
        return h, torch.zeros_like(h)  # (h_0, c_0) = (0, 0)

    def project_input(self, x):  # (..., n) -> (..., 4H)
        return self.W_x(x)

    def recur(self, xw, state):  # xw = W_x x_t: (B, 4H)
        h, c = state  # h_{t-1}, c_{t-1}: (B, H)
        i, f, g, o = (xw + self.W_h(h)).chunk(4, dim=-1)  # W x_t + W h_{t-1} + b, split: 4 x (B, H)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)  # c_t = f ⊙ c_{t-1} + i ⊙ c̃_t
        h = torch.sigmoid(o) * torch.tanh(c)  # h_t = o ⊙ tanh(c_t)
        return h, (h, c)
# --8<-- [end:lstm_cell]


# --8<-- [start:gru_cell]
class GRUCell(Cell):
    """GRU, gates in torch's order r, z, n; h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}. The state is h: (B, H).
    reset_after=True is torch's variant, n = tanh(W_xn x + r ⊙ (W_hn h + b_hn));
    reset_after=False is Cho et al.'s original, n = tanh(W_xn x + W_hn (r ⊙ h) + b)."""

    def __init__(self, input_size: int, hidden_size: int, reset_after: bool = True):
        super().__init__(input_size, hidden_size)
        self.reset_after = reset_after
        self.W_x = nn.Linear(input_size, 3 * hidden_size)  # [W_xr; W_xz; W_xn]: (3H, n), b_x: (3H,)
        self.W_h = nn.Linear(hidden_size, 3 * hidden_size)  # [W_hr; W_hz; W_hn]: (3H, H), b_h: (3H,)
        self.reset_parameters()

    def project_input(self, x):  # (..., n) -> (..., 3H)
        return self.W_x(x)

    def recur(self, xw, h):  # xw = W_x x_t + b_x: (B, 3H); h = h_{t-1}: (B, H)
        x_r, x_z, x_n = xw.chunk(3, dim=-1)  # 3 x (B, H)
        if self.reset_after:
            h_r, h_z, h_n = self.W_h(h).chunk(3, dim=-1)  # W_h h + b_h in one matmul: 3 x (B, H)
        else:
            W_hrz, W_hn = self.W_h.weight.split([2 * self.hidden_size, self.hidden_size])
            b_hrz, b_hn = self.W_h.bias.split([2 * self.hidden_size, self.hidden_size])
            h_r, h_z = F.linear(h, W_hrz, b_hrz).chunk(2, dim=-1)  # r and z rows only
        r = torch.sigmoid(x_r + h_r)  # reset gate
        z = torch.sigmoid(x_z + h_z)  # update gate: how much of h_{t-1} to keep
        if self.reset_after:
            n = torch.tanh(x_n + r * h_n)  # r ⊙ (W_hn h + b_hn)
        else:
            n = torch.tanh(x_n + F.linear(r * h, W_hn, b_hn))  # W_hn (r ⊙ h) + b_hn: needs r first
        h = (1 - z) * n + z * h  # some papers swap the roles of z and 1 - z: the same model
        return h, h
# --8<-- [end:gru_cell]


CELL_TYPES = ("rnn", "lstm", "gru")
_CELLS = {"rnn": RNNCell, "lstm": LSTMCell, "gru": GRUCell}


def make_cell(kind: str, input_size: int, hidden_size: int, **kw) -> Cell:
    """Build a cell by name ("rnn" | "lstm" | "gru"); extra keywords go to its constructor."""
    if kind not in _CELLS:
        raise ValueError(f"unknown cell type {kind!r}; expected one of {CELL_TYPES}")
    return _CELLS[kind](input_size, hidden_size, **kw)


# --8<-- [start:unroll]
def unroll(cell: Cell, xs, state=None):
    """Run `cell` over a sequence: xs (B, T, n) -> hs (B, T, H) and the final state.
    W_x x_t does not depend on the past, so it is done for all T steps in one matmul."""
    if state is None:
        state = cell.init_state(xs)
    xw = cell.project_input(xs)  # (B, T, kH): W_x x_t for every t at once
    hs = []
    for xw_t in xw.unbind(dim=1):  # T views (B, kH); unbind, unlike xw[:, t], has a one-shot backward
        h, state = cell.recur(xw_t, state)  # only the W_h h_{t-1} matmul stays in the loop
        hs.append(h)
    return torch.stack(hs, dim=1), state  # (B, T, H)
# --8<-- [end:unroll]


# --8<-- [start:unroll_stepwise]
def unroll_stepwise(cell: Cell, xs, state=None):
    """The plain loop, one full cell step per time step: xs (B, T, n) -> hs (B, T, H), final state.
    Same result as `unroll`; kept to show (and time) what the hoisting saves."""
    if state is None:
        state = cell.init_state(xs)
    hs = []
    for x_t in xs.unbind(dim=1):  # x_t: (B, n)
        h, state = cell(x_t, state)  # h_t: (B, H)
        hs.append(h)
    return torch.stack(hs, dim=1), state
# --8<-- [end:unroll_stepwise]


# --8<-- [start:rnn_jacobian]
def rnn_step_jacobian(cell: RNNCell, x, h):
    """Analytic Jacobian of one RNN step, J = ∂h_{k+1}/∂h_k = diag(1 - tanh²(z_{k+1})) W_hh.
    x: (n,), h = h_k: (H,) -> J: (H, H) with J[i, j] = ∂h_{k+1,i}/∂h_{k,j}, and z_{k+1}: (H,)."""
    z = cell.W_xh(x) + cell.W_hh(h)  # z_{k+1} = W_xh x_{k+1} + W_hh h_k + b
    J = (1 - torch.tanh(z) ** 2)[:, None] * cell.W_hh.weight  # scales row i of W_hh by tanh'(z_i)
    return J, z
# --8<-- [end:rnn_jacobian]
