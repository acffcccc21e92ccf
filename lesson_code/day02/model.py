"""The lesson's networks: a small CNN (with or without pooling), an MLP of similar size, and deep stacks of
3x3 convolutions, plain or residual, with or without BatchNorm.

Shapes: images x (N, 1, S, S) -> logits (N, classes).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from lesson_code.lessonkit.configs import DictConfig

KINDS = ("cnn_pool", "cnn_flat", "mlp", "plain", "residual")
INITS = ("default", "he")


@dataclass
class ModelConfig(DictConfig):
    """What to build. ``depth`` (3x3 conv layers after the stem) and ``batchnorm`` apply to the deep stacks."""

    kind: str = "cnn_pool"
    size: int = 16  # image side S
    classes: int = 6
    width: int = 16  # channels (CNNs, stacks) or hidden units (MLP)
    depth: int = 8
    batchnorm: bool = True
    init: str = "default"  # deep stacks: "default" (PyTorch's) or "he" (Kaiming-normal, fan_in, ReLU gain)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        for name in ("size", "classes", "width", "depth"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {getattr(self, name)!r}")
        if self.init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {self.init!r}")
        if self.kind == "residual" and self.depth % 2:
            raise ValueError(f"a residual stack has two convolutions per block: depth must be even, got {self.depth}")


class SmallCNN(nn.Module):
    """conv3x3(1→C)–ReLU–conv3x3(C→2C)–ReLU, then either a global max over positions ("pool") or a
    linear layer over the flattened map ("flat", one weight per position)."""

    def __init__(self, cfg: ModelConfig, pool: bool):
        super().__init__()
        c = cfg.width
        self.pool = pool
        self.conv1 = nn.Conv2d(1, c, 3, padding=1)
        self.conv2 = nn.Conv2d(c, 2 * c, 3, padding=1)
        features = 2 * c if pool else 2 * c * cfg.size * cfg.size
        self.head = nn.Linear(features, cfg.classes)

    def forward(self, x):
        h = F.relu(self.conv2(F.relu(self.conv1(x))))            # (N, 2C, S, S): equivariant maps
        h = h.amax(dim=(2, 3)) if self.pool else h.flatten(1)     # (N, 2C) invariant | (N, 2C·S·S) positional
        return self.head(h)


class MLP(nn.Module):
    """flatten–Linear(S²→W)–ReLU–Linear(W→W)–ReLU–Linear(W→classes): one weight per pixel per unit."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        w = cfg.width
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(cfg.size * cfg.size, w), nn.ReLU(),
                                 nn.Linear(w, w), nn.ReLU(), nn.Linear(w, cfg.classes))

    def forward(self, x):
        return self.net(x)


def conv_bn(c: int, batchnorm: bool) -> nn.Sequential:
    """conv3x3(C→C) followed by BatchNorm2d (or nothing): the unit every deep stack is made of."""
    layers = [nn.Conv2d(c, c, 3, padding=1, bias=not batchnorm)]
    if batchnorm:
        layers.append(nn.BatchNorm2d(c))
    return nn.Sequential(*layers)


# --8<-- [start:blocks]
class PlainBlock(nn.Module):
    """h -> relu(BN(conv(relu(BN(conv(h)))))): two layers, no shortcut."""

    def __init__(self, c: int, batchnorm: bool):
        super().__init__()
        self.a, self.b = conv_bn(c, batchnorm), conv_bn(c, batchnorm)

    def forward(self, h):
        return F.relu(self.b(F.relu(self.a(h))))


class ResidualBlock(nn.Module):
    """h -> relu(h + F(h)), F(h) = BN(conv(relu(BN(conv(h))))): the same two layers plus the identity.

    Jacobian before the final ReLU: ∂(h + F(h))/∂h = I + ∂F/∂h, so a gradient has a path that no
    layer multiplies. The identity shortcut adds no parameters.
    """

    def __init__(self, c: int, batchnorm: bool):
        super().__init__()
        self.a, self.b = conv_bn(c, batchnorm), conv_bn(c, batchnorm)

    def forward(self, h):
        return F.relu(h + self.b(F.relu(self.a(h))))
# --8<-- [end:blocks]


class ProjectionBlock(nn.Module):
    """A residual block that changes the channel count C_in -> C_out: the shortcut becomes a 1x1 conv
    (a projection, C_in·C_out extra weights), since the identity cannot add maps of different sizes."""

    def __init__(self, c_in: int, c_out: int, batchnorm: bool = True):
        super().__init__()
        self.a = nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=not batchnorm),
                               *([nn.BatchNorm2d(c_out)] if batchnorm else []))
        self.b = conv_bn(c_out, batchnorm)
        self.shortcut = nn.Conv2d(c_in, c_out, 1, bias=False)       # W_s h: a learned linear map, not the identity

    def forward(self, h):
        return F.relu(self.shortcut(h) + self.b(F.relu(self.a(h))))


def he_init(model: nn.Module) -> None:
    """He et al. (2015) initialisation of every convolution: weights ~ N(0, 2 / fan_in), biases 0.

    PyTorch's default draws conv weights uniformly with variance 1/(3 fan_in), a sixth of this: each
    ReLU layer then shrinks the signal's second moment by about a factor of 6. The linear head keeps
    PyTorch's default (no ReLU follows it). BatchNorm layers keep scale 1 and shift 0.
    """
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)


class DeepStack(nn.Module):
    """stem conv3x3(1→C)–ReLU, then ``depth`` 3x3 convs in blocks of two (plain or residual), then a global
    average pool and a linear head. Plain and residual stacks of one depth have the same parameters."""

    def __init__(self, cfg: ModelConfig, residual: bool):
        super().__init__()
        c = cfg.width
        if cfg.depth % 2:
            raise ValueError(f"depth counts convolutions in blocks of two: it must be even, got {cfg.depth}")
        self.stem = nn.Conv2d(1, c, 3, padding=1)
        block = ResidualBlock if residual else PlainBlock
        self.blocks = nn.Sequential(*[block(c, cfg.batchnorm) for _ in range(cfg.depth // 2)])
        self.head = nn.Linear(c, cfg.classes)
        if cfg.init == "he":
            he_init(self)

    def forward(self, x):
        h = self.blocks(F.relu(self.stem(x)))                    # (N, C, S, S)
        return self.head(h.mean(dim=(2, 3)))                     # (N, classes)

    def block_convs(self) -> list[nn.Conv2d]:
        """The 3x3 convolutions of the blocks, input side first."""
        return [m for m in self.blocks.modules() if isinstance(m, nn.Conv2d)]


def build(cfg: ModelConfig) -> nn.Module:
    """The network ``cfg`` describes."""
    if cfg.kind in ("cnn_pool", "cnn_flat"):
        return SmallCNN(cfg, pool=cfg.kind == "cnn_pool")
    if cfg.kind == "mlp":
        return MLP(cfg)
    return DeepStack(cfg, residual=cfg.kind == "residual")


def count_parameters(model: nn.Module) -> int:
    """Number of trainable scalars."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
