"""Convolution checked and probed, no training: the from-scratch conv2d against torch's (values, gradients,
gradcheck), translation equivariance under circular padding, zero padding, stride and pooling, and
receptive field against depth (formula and gradient support)."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from lesson_code.lessonkit.experiments import single_thread

from ..conv import conv2d, equivariance_error, measured_receptive_field, receptive_field
from ..model import ModelConfig, build, count_parameters
from ..shapes import sample

SHIFT = 3  # pixels the input is moved by
N_EQUIVARIANCE = 32  # glyph images the equivariance gaps are measured on


def agreement(seed: int) -> dict:
    """Largest |ours − torch's| over outputs and all three gradients, float64, several settings; gradcheck."""
    g = torch.Generator().manual_seed(seed)
    worst_value = worst_grad = 0.0
    for stride, padding in ((1, 0), (1, 1), (2, 1), (3, 2)):
        x = torch.randn(2, 3, 11, 10, generator=g, dtype=torch.float64, requires_grad=True)
        w = torch.randn(4, 3, 3, 3, generator=g, dtype=torch.float64, requires_grad=True)
        b = torch.randn(4, generator=g, dtype=torch.float64, requires_grad=True)
        ours = conv2d(x, w, b, stride, padding)
        ref = F.conv2d(x, w, b, stride=stride, padding=padding)
        worst_value = max(worst_value, float((ours - ref).detach().abs().max()))
        up = torch.randn(ref.shape, generator=g, dtype=torch.float64)
        ga = torch.autograd.grad((ours * up).sum(), (x, w, b))
        gb = torch.autograd.grad((ref * up).sum(), (x, w, b))
        worst_grad = max(worst_grad, max(float((a - c).abs().max()) for a, c in zip(ga, gb)))
    xs = torch.randn(1, 2, 6, 6, generator=g, dtype=torch.float64, requires_grad=True)
    ws = torch.randn(3, 2, 3, 3, generator=g, dtype=torch.float64, requires_grad=True)
    passed = torch.autograd.gradcheck(lambda a, b: conv2d(a, b, stride=2, padding=1), (xs, ws))
    return {"max_value_error": worst_value, "max_grad_error": worst_grad, "gradcheck": bool(passed)}


def equivariance(seed: int) -> dict:
    """Relative error ‖f(shift x) − shift f(x)‖/‖f x‖ for several maps f, on glyph images shifted by SHIFT."""
    torch.manual_seed(seed)
    x, _ = sample(N_EQUIVARIANCE, 16, "all", torch.Generator().manual_seed(seed + 1))
    x = x.double()
    conv_circ = nn.Conv2d(1, 8, 3, padding=1, padding_mode="circular").double()
    conv_zero = nn.Conv2d(1, 8, 3, padding=1).double()
    conv_zero.load_state_dict(conv_circ.state_dict())               # the same weights, other padding
    conv_s2 = nn.Conv2d(1, 8, 3, stride=2, padding=1, padding_mode="circular").double()
    conv_s2.load_state_dict(conv_circ.state_dict())
    dense = nn.Linear(256, 256).double()                             # an MLP layer: no sharing
    pool = lambda t: F.max_pool2d(t, 2)                              # noqa: E731
    return {
        "circular": equivariance_error(conv_circ, x, SHIFT, circular=True),
        "zero_pad": equivariance_error(conv_zero, x, SHIFT),
        "zero_pad_inside": equivariance_error(conv_zero, x, SHIFT, margin=SHIFT + 1),
        "stride2_odd": equivariance_error(conv_s2, x, SHIFT, out_shift=SHIFT // 2, circular=True),
        "stride2_even": equivariance_error(conv_s2, x, 2 * SHIFT, out_shift=SHIFT, circular=True),
        "pool2_odd": equivariance_error(pool, x, SHIFT, out_shift=SHIFT // 2, circular=True),
        "pool2_even": equivariance_error(pool, x, 2 * SHIFT, out_shift=SHIFT, circular=True),
        "dense": equivariance_error(lambda t: dense(t.flatten(1)).view_as(t), x, SHIFT, circular=True),
    }


def receptive_fields(seed: int, max_depth: int = 6) -> dict:
    """Formula and measurement of the receptive field for stacks of 3x3 convs, stride 1 and stride 2."""
    torch.manual_seed(seed)
    rows = []
    for depth in range(1, max_depth + 1):
        row = {"depth": depth}
        for name, stride in (("stride1", 1), ("stride2", 2)):
            layers = []
            for _ in range(depth):
                layers += [nn.Conv2d(1, 1, 3, stride=stride, padding=1, bias=False).double(), nn.Tanh()]
            size = 2 * receptive_field([3] * depth, [stride] * depth) + 4 * stride ** depth
            row[name] = receptive_field([3] * depth, [stride] * depth)
            row[f"{name}_measured"] = measured_receptive_field(nn.Sequential(*layers), size)
        rows.append(row)
    return {"rows": rows}


def run(seed: int = 0) -> dict:
    with single_thread():
        a = agreement(seed)
        e = equivariance(seed)
        rf = receptive_fields(seed)
    params = {k: count_parameters(build(ModelConfig(kind=k, size=16, width=w)))
              for k, w in (("cnn_pool", 16), ("mlp", 18))}
    last = rf["rows"][-1]
    quotes = {"max_value_error": a["max_value_error"], "max_grad_error": a["max_grad_error"],
              "gradcheck": "passed" if a["gradcheck"] else "failed", "shift": SHIFT,
              "n_equivariance": N_EQUIVARIANCE,
              **{f"eq_{k}": v for k, v in e.items()},
              "rf_depth": last["depth"], "rf_stride1": last["stride1"], "rf_stride2": last["stride2"],
              "rf_all_match": all(r["stride1"] == r["stride1_measured"] and r["stride2"] == r["stride2_measured"]
                                  for r in rf["rows"]),
              "conv_layer_params": 8 * 9 + 8, "dense_layer_params": 256 * 256 + 256,
              "params_cnn_pool": params["cnn_pool"], "params_mlp": params["mlp"]}
    return {"agreement": a, "equivariance": e, "receptive_field": rf, "quotes": quotes}
