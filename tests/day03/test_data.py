"""Vocabulary, the contiguous split and truncated-BPTT batches."""

import pytest
import torch

from lesson_code.day03.data import Vocab, bptt_batches, make_streams, num_chunks, split_ids


def test_vocab_round_trip():
    text = "To be, or not to be:\nthat is the question."
    v = Vocab.from_text(text)
    assert v.chars == sorted(set(text)) and v.size == len(set(text)) == len(v)
    ids = v.encode(text)
    assert ids.dtype == torch.long and ids.shape == (len(text),)
    assert v.decode(ids) == text
    assert v.decode(ids.tolist()) == text
    assert [v.chars[i] for i in ids.tolist()] == list(text)
    v2 = Vocab.from_list(v.to_list())
    assert v2.chars == v.chars and torch.equal(v2.encode(text), ids)


def test_unknown_character_error_names_it():
    v = Vocab.from_text("abc\n")
    with pytest.raises(ValueError) as info:
        v.encode("abz\u00e9z")
    msg = str(info.value)
    assert "'z' (U+007A)" in msg and "'\u00e9' (U+00E9)" in msg and "not in the vocabulary" in msg
    assert "\n" not in msg
    assert v.unknown_chars("abz\u00e9z") == ["z", "\u00e9"]


def test_vocab_rejects_bad_entries():
    for bad in ([], ["a", "a"], ["", "b"], [1]):
        with pytest.raises(ValueError):
            Vocab(bad)


def test_split_ids_is_contiguous_tail():
    ids = torch.arange(100)
    train, val = split_ids(ids, 0.1)
    assert torch.equal(train, torch.arange(90)) and torch.equal(val, torch.arange(90, 100))
    with pytest.raises(ValueError):
        split_ids(ids, 1.0)


@pytest.mark.parametrize("offset", [0, 3])
def test_streams_targets_shifted_and_chunks_contiguous(offset):
    n, B, T = 203, 4, 7
    ids = torch.arange(n)  # id == position, so every check is about positions
    x, y = make_streams(ids, B, offset)
    L = (n - offset - 1) // B
    assert x.shape == y.shape == (B, L)
    assert torch.equal(y, x + 1)  # target = the next character of the text
    for b in range(B):  # row b is one contiguous stretch of the text
        assert torch.equal(x[b], torch.arange(offset + b * L, offset + (b + 1) * L))

    chunks = list(bptt_batches(ids, B, T, offset))
    assert len(chunks) == num_chunks(ids, B, T, offset) == -(-L // T)
    for k, (cx, cy) in enumerate(chunks):
        assert cx.shape[0] == B and 1 <= cx.shape[1] <= T
        assert torch.equal(cy, cx + 1)
        if k > 0:  # chunk k of stream b starts right after chunk k-1 of stream b ended
            px, py = chunks[k - 1]
            assert torch.equal(cx[:, 0], px[:, -1] + 1)
            assert torch.equal(cx[:, 0], py[:, -1])
    # every usable position is visited exactly once
    seen = torch.cat([cx for cx, _ in chunks], dim=1)
    assert torch.equal(seen, x)


def test_streams_too_short_text_is_a_clear_error():
    with pytest.raises(ValueError, match="too short"):
        make_streams(torch.arange(5), batch_size=8)
    with pytest.raises(ValueError):
        list(bptt_batches(torch.arange(50), 2, 0))
