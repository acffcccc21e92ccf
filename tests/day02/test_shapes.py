"""The generated glyph data: shapes, determinism, positions, the pinned fingerprint."""
import itertools

import pytest
import torch

from lesson_code.day02.shapes import CLASSES, FINGERPRINT, GAP, GLYPH, fingerprint, glyph_tensor, offsets, sample


def test_fingerprint_is_pinned():
    assert fingerprint() == FINGERPRINT  # a change to the generator must be deliberate


def test_glyphs_are_distinct_and_5x5():
    masks = {n: glyph_tensor(n) for n in CLASSES}
    assert all(m.shape == (GLYPH, GLYPH) for m in masks.values())
    assert min(int((masks[a] != masks[b]).sum()) for a, b in itertools.combinations(masks, 2)) >= 4


def test_shapes_labels_and_determinism():
    x, y = sample(10, 16, "all", torch.Generator().manual_seed(3))
    assert x.shape == (10, 1, 16, 16) and x.dtype == torch.float32
    assert y.shape == (10,) and y.dtype == torch.int64 and int(y.min()) >= 0 and int(y.max()) < len(CLASSES)
    x2, y2 = sample(10, 16, "all", torch.Generator().manual_seed(3))
    assert torch.equal(x, x2) and torch.equal(y, y2)


@pytest.mark.parametrize("region", ["left", "right"])
def test_regions_put_the_glyph_where_they_say(region):
    x, y = sample(200, 16, region, torch.Generator().manual_seed(1), noise=0.0)
    lo, hi = offsets(16, region)
    ink_cols = (x[:, 0].sum(dim=1) > 0)                               # (n, 16): columns with ink
    for i in range(200):
        cols = ink_cols[i].nonzero().flatten()
        assert lo <= int(cols.min()) and int(cols.max()) <= hi + GLYPH - 1
    assert offsets(16, "left")[1] < offsets(16, "right")[0]           # the halves do not overlap


@pytest.mark.parametrize("size", [14, 15, 16, 20, 31])
def test_left_and_right_glyphs_ink_disjoint_columns_gap_apart(size):
    """Section 1.2: no column a right-half glyph can ink was inked by a left-half glyph; GAP blank columns
    (or more) lie between, so the two-convolution CNN's feature positions do not overlap either."""
    x_l, _ = sample(300, size, "left", torch.Generator().manual_seed(2), noise=0.0)
    x_r, _ = sample(300, size, "right", torch.Generator().manual_seed(3), noise=0.0)
    left_cols = (x_l[:, 0].sum(dim=(0, 1)) > 0).nonzero().flatten()
    right_cols = (x_r[:, 0].sum(dim=(0, 1)) > 0).nonzero().flatten()
    assert int(right_cols.min()) - int(left_cols.max()) - 1 >= GAP
    assert int(left_cols.min()) == 0 and int(right_cols.max()) == size - 1


def test_a_canvas_too_narrow_for_two_halves_is_one_clear_error():
    with pytest.raises(ValueError, match="for a left and a right half"):
        sample(2, 2 * GLYPH + GAP - 1, "left")


def test_noise_free_image_is_the_glyph():
    x, y = sample(1, 6, "all", torch.Generator().manual_seed(0), noise=0.0)
    g = glyph_tensor(CLASSES[int(y[0])])
    windows = [x[0, 0, r:r + GLYPH, c:c + GLYPH] for r in range(2) for c in range(2)]
    assert any(torch.equal(w, g) for w in windows) and x.sum() == g.sum()


@pytest.mark.parametrize("size,region,match", [(16, "middle", "region must be"), (5, "all", "size must exceed")])
def test_bad_arguments_are_one_clear_error(size, region, match):
    with pytest.raises(ValueError, match=match):
        sample(2, size, region)
