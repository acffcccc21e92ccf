"""Our cells against torch's: same outputs and gradients over a 50-step unroll, gradcheck, BPTT Jacobian."""
import pytest
import torch
import torch.nn as nn
from torch.func import functional_call

from lesson_code.day03.cells import (CELL_TYPES, GRUCell, LSTMCell, RNNCell, make_cell, rnn_step_jacobian,
                                     unroll, unroll_stepwise)
from lesson_code.day03.torch_compat import copy_from_torch, copy_to_torch, torch_cell_like

B, T, N, H = 4, 50, 8, 16
TOL = {torch.float32: 1e-6, torch.float64: 1e-12}


def our_params_by_torch_name(cell):
    """Our parameters keyed by the torch parameter that must carry the same gradient."""
    if isinstance(cell, RNNCell):
        return {"weight_ih": cell.W_xh.weight, "weight_hh": cell.W_hh.weight, "bias_ih": cell.W_hh.bias}
    d = {"weight_ih": cell.W_x.weight, "weight_hh": cell.W_h.weight}
    if isinstance(cell, GRUCell):
        d.update(bias_ih=cell.W_x.bias, bias_hh=cell.W_h.bias)
    else:  # our single bias b = b_ih + b_hh gets the same gradient as each of torch's two
        d.update(bias_ih=cell.W_h.bias, bias_hh=cell.W_h.bias)
    return d


def torch_unroll(tcell, xs):
    state, hs = None, []
    for t in range(xs.size(1)):
        state = tcell(xs[:, t], state)
        hs.append(state[0] if isinstance(state, tuple) else state)
    return torch.stack(hs, dim=1)


def max_diff(a, b):
    return (a - b).abs().max().item()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("kind", CELL_TYPES)
def test_matches_torch_outputs_and_gradients(kind, dtype):
    torch.manual_seed(0)
    cell = make_cell(kind, N, H).to(dtype)
    tcell = torch_cell_like(cell)
    xs = torch.randn(B, T, N, dtype=dtype, requires_grad=True)
    w = torch.randn(B, T, H, dtype=dtype) / (B * T)  # loss = mean over (b, t) of <w, h_t>

    hs, _ = unroll(cell, xs)
    hs_ref = torch_unroll(tcell, xs)
    ours = our_params_by_torch_name(cell)
    theirs = dict(tcell.named_parameters())
    g = torch.autograd.grad((hs * w).sum(), [xs, *ours.values()])
    g_ref = torch.autograd.grad((hs_ref * w).sum(), [xs, *(theirs[k] for k in ours)])

    tol = TOL[dtype]
    assert hs.dtype == dtype and max_diff(hs, hs_ref) <= tol
    assert hs.abs().max() > 0.1  # the comparison is not between near-zero tensors
    for name, a, b in zip(["input", *ours], g, g_ref):
        assert max_diff(a, b) <= tol, name
        assert max_diff(a, b) <= 10 * tol * b.abs().max().item(), name  # relative, for the small input grads


@pytest.mark.parametrize("kind", CELL_TYPES)
def test_copy_from_torch_round_trip(kind):
    torch.manual_seed(1)
    tcell = {"rnn": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell}[kind](N, H).double()
    cell = make_cell(kind, N, H).double()
    copy_from_torch(cell, tcell)
    x = torch.randn(3, N, dtype=torch.float64)
    out = tcell(x)
    h = cell(x, cell.init_state(x))[0]
    assert max_diff(h, out[0] if isinstance(out, tuple) else out) <= 1e-14
    back = {"rnn": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell}[kind](N, H).double()
    copy_to_torch(cell, back)
    out_back = back(x)
    assert max_diff(h, out_back[0] if isinstance(out_back, tuple) else out_back) <= 1e-14


def test_reset_before_gru_is_not_torchs():
    torch.manual_seed(0)
    spec = GRUCell(N, H, reset_after=False).double()
    ours = GRUCell(N, H, reset_after=True).double()
    ours.load_state_dict(spec.state_dict())
    tcell = torch_cell_like(ours)
    xs = torch.randn(B, T, N, dtype=torch.float64)
    ref = torch_unroll(tcell, xs)
    assert max_diff(unroll(ours, xs)[0], ref) <= 1e-12
    assert max_diff(unroll(spec, xs)[0], ref) > 1e-3
    with pytest.raises(ValueError, match="reset_after"):
        torch_cell_like(spec)


class Unrolled(nn.Module):
    """Wraps a cell so functional_call can feed its parameters as gradcheck inputs."""

    def __init__(self, cell):
        super().__init__()
        self.cell = cell

    def forward(self, xs, *state):
        hs, final = unroll(self.cell, xs, state[0] if len(state) == 1 else tuple(state))
        return (hs, *final) if isinstance(final, tuple) else (hs, final)


@pytest.mark.parametrize("kind,kw", [("rnn", {}), ("lstm", {}), ("gru", {"reset_after": True}),
                                     ("gru", {"reset_after": False})])
def test_gradcheck(kind, kw):
    torch.manual_seed(0)
    cell = make_cell(kind, 3, 4, **kw).double()
    module = Unrolled(cell)
    names = [n for n, _ in module.named_parameters()]
    xs = torch.randn(2, 3, 3, dtype=torch.float64, requires_grad=True)
    n_state = 2 if kind == "lstm" else 1
    state = [torch.randn(2, 4, dtype=torch.float64, requires_grad=True) for _ in range(n_state)]
    params = [p.detach().clone().requires_grad_() for p in module.parameters()]

    def f(xs, *rest):
        st, ps = rest[:n_state], rest[n_state:]
        return functional_call(module, dict(zip(names, ps)), (xs, *st))

    assert torch.autograd.gradcheck(f, (xs, *state, *params), eps=1e-6, atol=1e-7)


@pytest.mark.parametrize("kind", CELL_TYPES)
def test_stepwise_equals_hoisted_and_state_follows_input(kind):
    torch.manual_seed(0)
    cell = make_cell(kind, N, H).double()
    xs = torch.randn(2, 7, N, dtype=torch.float64)
    a, sa = unroll(cell, xs)
    b, sb = unroll_stepwise(cell, xs)
    assert a.shape == (2, 7, H) and a.dtype == torch.float64
    assert max_diff(a, b) <= 1e-14
    # chunking the sequence and carrying the state gives the same result
    c1, s1 = unroll(cell, xs[:, :3])
    c2, _ = unroll(cell, xs[:, 3:], s1)
    assert max_diff(torch.cat([c1, c2], 1), a) <= 1e-14


def test_default_init_is_torchs_uniform():
    torch.manual_seed(0)
    for kind in CELL_TYPES:
        cell = make_cell(kind, 32, 64)
        bound = 64 ** -0.5
        for name, p in cell.named_parameters():
            assert p.abs().max() <= bound, name
            assert p.abs().max() > 0.9 * bound and abs(p.mean()) < 0.1 * bound, name
    with pytest.raises(ValueError, match="unknown cell"):
        make_cell("transformer", 3, 4)


def test_lstm_uses_one_matmul_per_operand():
    cell = LSTMCell(N, H)
    assert cell.W_x.weight.shape == (4 * H, N) and cell.W_x.bias is None
    assert cell.W_h.weight.shape == (4 * H, H) and cell.W_h.bias.shape == (4 * H,)


def test_rnn_step_jacobian():
    """∂h_{k+1}/∂h_k = diag(tanh'(z_{k+1})) W_hh (rows scaled), not W_hhᵀ diag(tanh'(z_k)) as in the spec."""
    torch.manual_seed(0)
    cell = RNNCell(5, 6).double()
    x_k, x_k1 = torch.randn(2, 5, dtype=torch.float64)
    h_prev = torch.randn(6, dtype=torch.float64)
    z_k = cell.W_xh(x_k) + cell.W_hh(h_prev)
    h_k = torch.tanh(z_k)

    def step(h):
        return cell(x_k1[None], h[None])[0][0]

    J_autograd = torch.autograd.functional.jacobian(step, h_k)
    J, z_k1 = rnn_step_jacobian(cell, x_k1, h_k)
    W = cell.W_hh.weight
    assert J.shape == (6, 6)
    assert max_diff(J, J_autograd) <= 1e-14
    assert max_diff(J, torch.diag(1 - torch.tanh(z_k1) ** 2) @ W) <= 1e-14
    spec_form = W.T @ torch.diag(1 - torch.tanh(z_k) ** 2)
    assert max_diff(spec_form, J_autograd) > 1e-2
