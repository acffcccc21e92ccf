"""The networks: output shapes, equal parameters for plain and residual stacks, the residual block's identity."""
import pytest
import torch

from lesson_code.day02.model import (KINDS, ModelConfig, PlainBlock, ProjectionBlock, ResidualBlock, build,
                                     count_parameters)


@pytest.mark.parametrize("kind", KINDS)
def test_every_network_maps_images_to_logits(kind):
    model = build(ModelConfig(kind=kind, size=12, width=4, depth=4))
    assert model(torch.randn(3, 1, 12, 12)).shape == (3, 6)


@pytest.mark.parametrize("bn", [True, False])
@pytest.mark.parametrize("depth", [2, 4, 28])
def test_plain_and_residual_stacks_have_the_same_parameters(bn, depth):
    counts = {k: count_parameters(build(ModelConfig(kind=k, width=8, depth=depth, batchnorm=bn)))
              for k in ("plain", "residual")}
    assert counts["plain"] == counts["residual"]


def test_cnn_and_mlp_sizes_are_matched():
    cnn = count_parameters(build(ModelConfig(kind="cnn_pool", size=16, width=16)))
    mlp = count_parameters(build(ModelConfig(kind="mlp", size=16, width=18)))
    assert abs(cnn - mlp) / cnn < 0.05


@pytest.mark.parametrize("bn", [True, False])
def test_residual_block_is_the_identity_when_its_last_layer_is_zero(bn):
    torch.manual_seed(0)
    block = ResidualBlock(4, bn).eval()
    with torch.no_grad():
        for p in block.b.parameters():
            p.zero_()                                              # F(h) = 0 (conv weights and BN scale/shift)
    h = torch.relu(torch.randn(2, 4, 6, 6))                        # blocks follow a ReLU: h >= 0
    torch.testing.assert_close(block(h), h)
    plain = PlainBlock(4, bn).eval()
    plain.load_state_dict(block.state_dict())
    assert plain(h).abs().max() == 0                               # the plain block with the same weights outputs 0


def test_residual_jacobian_is_identity_plus_branch():
    torch.manual_seed(1)
    block = ResidualBlock(2, False)
    h = torch.rand(1, 2, 3, 3, dtype=torch.float64) + 5.0          # large positive: the final ReLU passes everything
    block = block.double()
    with torch.no_grad():
        for p in block.parameters():
            p.mul_(0.01)
    jac = torch.autograd.functional.jacobian(lambda t: block(t), h).reshape(18, 18)
    branch = torch.autograd.functional.jacobian(lambda t: block.b(torch.relu(block.a(t))), h).reshape(18, 18)
    torch.testing.assert_close(jac, torch.eye(18, dtype=torch.float64) + branch)


def test_projection_shortcut_changes_channels_with_extra_weights():
    block = ProjectionBlock(8, 16)
    assert block(torch.randn(2, 8, 5, 5)).shape == (2, 16, 5, 5)
    assert count_parameters(block.shortcut) == 8 * 16


@pytest.mark.parametrize("kw,match", [({"kind": "vgg"}, "kind must be"), ({"width": 0}, "width must be"),
                                      ({"kind": "residual", "depth": 3}, "depth must be even")])
def test_bad_config_is_one_clear_error(kw, match):
    with pytest.raises(ValueError, match=match):
        ModelConfig(**kw)


def test_he_initialisation_has_variance_two_over_fan_in():
    """The He arm: every conv weight ~ N(0, 2/fan_in), biases zero; the default draws 1/(3 fan_in)."""
    torch.manual_seed(0)
    he = build(ModelConfig(kind="plain", size=12, width=8, depth=28, batchnorm=False, init="he"))
    torch.manual_seed(0)
    default = build(ModelConfig(kind="plain", size=12, width=8, depth=28, batchnorm=False))
    w_he = torch.cat([c.weight.flatten() for c in he.block_convs()])
    w_def = torch.cat([c.weight.flatten() for c in default.block_convs()])
    fan_in = 8 * 9
    assert w_he.var().item() == pytest.approx(2 / fan_in, rel=0.05)
    assert w_def.var().item() == pytest.approx(1 / (3 * fan_in), rel=0.05)
    assert all(float(c.bias.detach().abs().max()) == 0 for c in he.block_convs())


def test_unknown_initialisation_is_refused():
    with pytest.raises(ValueError, match="init must be one of"):
        ModelConfig(kind="plain", init="xavier")
