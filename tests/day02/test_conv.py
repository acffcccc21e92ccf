"""The from-scratch convolution against torch's, equivariance where it holds and where it breaks, receptive fields."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from lesson_code.day02.conv import conv2d, equivariance_error, measured_receptive_field, receptive_field, shift


@pytest.mark.parametrize("stride,padding", [(1, 0), (1, 1), (2, 0), (2, 1), (3, 2)])
@pytest.mark.parametrize("k", [1, 3, 5])
def test_values_and_gradients_match_conv2d(stride, padding, k):
    g = torch.Generator().manual_seed(k * 10 + stride)
    x = torch.randn(2, 3, 9, 8, generator=g, dtype=torch.float64, requires_grad=True)
    w = torch.randn(4, 3, k, k, generator=g, dtype=torch.float64, requires_grad=True)
    b = torch.randn(4, generator=g, dtype=torch.float64, requires_grad=True)
    ours, ref = conv2d(x, w, b, stride, padding), F.conv2d(x, w, b, stride=stride, padding=padding)
    assert ours.shape == ref.shape
    torch.testing.assert_close(ours, ref)
    up = torch.randn(ref.shape, generator=g, dtype=torch.float64)
    for a, c in zip(torch.autograd.grad((ours * up).sum(), (x, w, b)), torch.autograd.grad((ref * up).sum(), (x, w, b))):
        torch.testing.assert_close(a, c)


def test_gradcheck():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1, 2, 5, 6, generator=g, dtype=torch.float64, requires_grad=True)
    w = torch.randn(3, 2, 3, 3, generator=g, dtype=torch.float64, requires_grad=True)
    b = torch.randn(3, generator=g, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda *t: conv2d(*t, stride=2, padding=1), (x, w, b))
    assert torch.autograd.gradgradcheck(lambda *t: conv2d(*t, padding=1), (x, w, b))


def test_without_bias_and_output_shape():
    x = torch.randn(3, 1, 16, 16)
    assert conv2d(x, torch.randn(8, 1, 3, 3), stride=2, padding=1).shape == (3, 8, 8, 8)  # floor((16+2-3)/2)+1


def test_mismatched_kernel_is_one_clear_error():
    with pytest.raises(ValueError, match="does not fit an input with 2 channels"):
        conv2d(torch.randn(1, 2, 5, 5), torch.randn(4, 3, 3, 3))


def test_shift_moves_content_and_fills_zeros():
    x = torch.arange(16.0).view(1, 1, 4, 4)
    s = shift(x, 1, -1)
    assert s[0, 0, 1, 0] == x[0, 0, 0, 1] and s[0, 0, 0].abs().sum() == 0 and s[0, 0, :, -1].abs().sum() == 0
    torch.testing.assert_close(shift(x, 2, 3, circular=True), torch.roll(x, (2, 3), (-2, -1)))


def test_equivariance_holds_where_it_should_and_breaks_where_it_should():
    torch.manual_seed(0)
    x = torch.randn(4, 1, 12, 12, dtype=torch.float64)
    circ = nn.Conv2d(1, 3, 3, padding=1, padding_mode="circular").double()
    zero = nn.Conv2d(1, 3, 3, padding=1).double()
    zero.load_state_dict(circ.state_dict())
    s2 = nn.Conv2d(1, 3, 3, stride=2, padding=1, padding_mode="circular").double()
    assert equivariance_error(circ, x, 2, circular=True) < 1e-12
    assert equivariance_error(zero, x, 2) > 0.1                      # the border differs
    assert equivariance_error(zero, x, 2, margin=3) < 1e-12          # inside it does not
    assert equivariance_error(s2, x, 1, out_shift=0, circular=True) > 0.1  # an odd shift falls between the grid
    assert equivariance_error(s2, x, 2, out_shift=1, circular=True) < 1e-12
    assert equivariance_error(lambda t: F.max_pool2d(t, 2), x, 2, out_shift=1, circular=True) < 1e-12


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("stride", [1, 2])
def test_receptive_field_formula_matches_gradient_support(depth, stride):
    torch.manual_seed(depth)
    layers = []
    for _ in range(depth):
        layers += [nn.Conv2d(1, 1, 3, stride=stride, padding=1, bias=False).double(), nn.Tanh()]
    r = receptive_field([3] * depth, [stride] * depth)
    assert r == (1 + 2 * depth if stride == 1 else 2 ** (depth + 1) - 1)
    assert measured_receptive_field(nn.Sequential(*layers), 2 * r + 4 * stride ** depth) == r
