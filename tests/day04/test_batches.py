"""make_batch: padding, <bos>/<eos>, lengths, and reversal of the real source tokens only."""
import pytest
import torch

from lesson_code.day04.numbers import batch_of_numbers, make_batch, number_pair, source_vocab, target_vocab

NUMBERS = [5, 312_045, 21, 1_000_000_017]


def test_shapes_padding_bos_eos():
    src_v, tgt_v = source_vocab(), target_vocab()
    b = make_batch([number_pair(n) for n in NUMBERS], src_v, tgt_v)
    lens = [len(number_pair(n)[0]) for n in NUMBERS]
    assert b.src.shape == (4, max(lens)) and b.src.dtype == torch.long
    assert b.src_len.tolist() == lens
    T = max(len(str(n)) for n in NUMBERS) + 1
    assert b.tgt_in.shape == b.tgt_out.shape == (4, T)
    for i, n in enumerate(NUMBERS):
        words, digits = number_pair(n)
        assert src_v.decode_tokens(b.src[i, :lens[i]]) == words
        assert (b.src[i, lens[i]:] == 0).all()
        L = len(digits)
        assert tgt_v.decode_tokens(b.tgt_in[i, :L + 1]) == ["<bos>"] + digits
        assert tgt_v.decode_tokens(b.tgt_out[i, :L + 1]) == digits + ["<eos>"]
        assert (b.tgt_in[i, L + 1:] == 0).all() and (b.tgt_out[i, L + 1:] == 0).all()
        assert (b.tgt_in[i, 1:L + 1] == b.tgt_out[i, :L]).all()  # shifted by one


def test_reverse_source_reverses_real_tokens_only():
    fwd, rev = batch_of_numbers(NUMBERS), batch_of_numbers(NUMBERS, reverse_source=True)
    assert torch.equal(fwd.src_len, rev.src_len)
    assert torch.equal(fwd.tgt_in, rev.tgt_in) and torch.equal(fwd.tgt_out, rev.tgt_out)
    for i, L in enumerate(fwd.src_len.tolist()):
        assert torch.equal(rev.src[i, :L], fwd.src[i, :L].flip(0))
        assert (rev.src[i, L:] == 0).all()  # padding still on the right
    assert rev.src[0, 0] == fwd.src[0, 0]  # a one-word source is its own reverse


def test_bad_input():
    src_v, tgt_v = source_vocab(), target_vocab()
    with pytest.raises(ValueError, match="at least one pair"):
        make_batch([], src_v, tgt_v)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        make_batch([(["one", "and", "two"], ["1"])], src_v, tgt_v)
    with pytest.raises(ValueError, match="at least one token"):
        make_batch([([], ["1"])], src_v, tgt_v)
