"""Convolution from scratch, and the two facts about it the lesson measures: equivariance and receptive field.

Notation: input x (N, C_in, H, W), kernel w (C_out, C_in, k, k), bias b (C_out,), stride s, zero
padding p. Output (N, C_out, H', W') with H' = floor((H + 2p - k) / s) + 1.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


# --8<-- [start:conv2d]
def conv2d(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None = None, stride: int = 1,
           padding: int = 0) -> torch.Tensor:
    """Cross-correlation as deep-learning libraries define it, from patches and one matrix product.

    y[n, o, i, j] = b[o] + Σ_c Σ_u Σ_v w[o, c, u, v] · x_pad[n, c, s·i + u, s·j + v]
    """
    n, c_in, h, wd = x.shape
    c_out, c_w, k, k2 = w.shape
    if c_w != c_in or k != k2:
        raise ValueError(f"kernel {tuple(w.shape)} does not fit an input with {c_in} channels (square kernels only)")
    x = F.pad(x, (padding, padding, padding, padding))              # zeros around the border
    h_out = (h + 2 * padding - k) // stride + 1
    w_out = (wd + 2 * padding - k) // stride + 1
    # every k x k patch, flattened: (N, C_in, H_out, W_out, k, k) -> (N, H_out·W_out, C_in·k·k)
    patches = x.unfold(2, k, stride).unfold(3, k, stride)
    patches = patches.permute(0, 2, 3, 1, 4, 5).reshape(n, h_out * w_out, c_in * k * k)
    y = patches @ w.reshape(c_out, c_in * k * k).T                  # one weight matrix for every position
    if b is not None:
        y = y + b
    return y.permute(0, 2, 1).reshape(n, c_out, h_out, w_out)
# --8<-- [end:conv2d]


def shift(x: torch.Tensor, dy: int, dx: int, circular: bool = False) -> torch.Tensor:
    """Move the image content by (dy, dx) pixels: wrapping round (circular) or filling with zeros."""
    if circular:
        return torch.roll(x, shifts=(dy, dx), dims=(-2, -1))
    out = torch.zeros_like(x)
    h, w = x.shape[-2:]
    src_r, dst_r = slice(max(0, -dy), h - max(0, dy)), slice(max(0, dy), h - max(0, -dy))
    src_c, dst_c = slice(max(0, -dx), w - max(0, dx)), slice(max(0, dx), w - max(0, -dx))
    out[..., dst_r, dst_c] = x[..., src_r, src_c]
    return out


# --8<-- [start:equivariance]
def equivariance_error(f, x: torch.Tensor, d: int, out_shift: int | None = None, circular: bool = False,
                       margin: int = 0) -> float:
    """‖f(shift(x, d)) − shift(f(x), d')‖ / ‖f(x)‖ over the map, d' = out_shift (default d).

    0 means f commutes with the shift (equivariance). ``margin`` drops that many border pixels of the
    output map from both norms, to separate what happens at the edges from what happens inside.
    """
    d_out = d if out_shift is None else out_shift
    a = f(shift(x, d, d, circular))
    b = shift(f(x), d_out, d_out, circular)
    if margin:
        a, b = a[..., margin:-margin, margin:-margin], b[..., margin:-margin, margin:-margin]
    return float(((a - b).norm() / b.norm().clamp_min(1e-12)).detach())
# --8<-- [end:equivariance]


# --8<-- [start:receptive]
def receptive_field(kernels: list[int], strides: list[int]) -> int:
    """Side of the input square one output unit of a conv stack can see.

    r_0 = 1, jump_0 = 1;  layer l: r_l = r_{l-1} + (k_l − 1) · jump_{l-1},  jump_l = jump_{l-1} · s_l
    (stride 1 throughout: r_L = 1 + L(k − 1), growing linearly with depth).
    """
    r, jump = 1, 1
    for k, s in zip(kernels, strides, strict=True):
        r += (k - 1) * jump
        jump *= s
    return r
# --8<-- [end:receptive]


def measured_receptive_field(net, size: int) -> int:
    """Side of the input region on which the centre output of ``net`` depends (nonzero gradient)."""
    x = torch.randn(1, 1, size, size, dtype=torch.float64, requires_grad=True)
    y = net(x)
    c = y.shape[-1] // 2
    y[0, :, c, c].sum().backward()
    touched = (x.grad[0, 0].abs() > 0).nonzero()
    return int(touched[:, 1].max() - touched[:, 1].min() + 1)
