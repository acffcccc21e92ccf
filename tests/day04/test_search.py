"""Decoding: greedy = beam 1, beam = exhaustive on a tiny vocabulary, scores, banned tokens, cost."""
import math

import pytest
import torch

from lesson_code.day04.model import Seq2Seq, Seq2SeqConfig
from lesson_code.day04.search import (all_outputs, beam_search, count_decoder_steps, exhaustive_search,
                                      greedy_decode, sequence_logprob)

PAD, BOS, EOS = 0, 1, 2


def tiny(tgt_vocab_size=6, seed=0, sharpen=3.0, cell="lstm"):
    """A random float64 model; ``sharpen`` scales the output layer so the next-token distributions are uneven."""
    torch.manual_seed(seed)
    m = Seq2Seq(Seq2SeqConfig(src_vocab_size=7, tgt_vocab_size=tgt_vocab_size, embed_size=4, hidden_size=6,
                              cell=cell)).double()
    with torch.no_grad():
        m.decoder.head.weight.mul_(sharpen)
        m.decoder.head.bias.mul_(sharpen)
    return m


def sources(B=6, seed=0, S=5):
    g = torch.Generator().manual_seed(seed)
    src_len = torch.randint(1, S + 1, (B,), generator=g)
    src = torch.randint(3, 7, (B, S), generator=g)
    src[torch.arange(S)[None, :] >= src_len[:, None]] = PAD
    return src, src_len


@pytest.mark.parametrize("seed", range(4))
def test_greedy_equals_beam_of_one(seed):
    m = tiny(tgt_vocab_size=13, seed=seed, sharpen=1.0)
    src, src_len = sources(8, seed)
    g = greedy_decode(m, src, src_len, max_len=7)
    b = beam_search(m, src, src_len, beam_size=1, max_len=7)
    assert g.ids == b.ids
    assert torch.allclose(g.logprob, b.logprob, rtol=0, atol=1e-12)
    assert g.cell_evals == b.cell_evals == [len(y) for y in g.ids]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("seed", range(5))
def test_wide_beam_equals_exhaustive_search(seed, cell):
    m = tiny(seed=seed, cell=cell)  # 3 emittable tokens besides <eos>
    src, src_len = sources(6, seed)
    exact = exhaustive_search(m, src, src_len, max_len=4)
    beam = beam_search(m, src, src_len, beam_size=27, max_len=4)  # 3^3 live hypotheses at most
    assert beam.ids == exact.ids
    assert torch.allclose(beam.logprob, exact.logprob, rtol=0, atol=1e-10)


def test_the_test_is_not_trivial():
    """On these models the exact answer is often not greedy's, and a narrow beam sometimes misses it."""
    greedy_wrong = beam2_wrong = 0
    for seed in range(5):
        m = tiny(seed=seed)
        src, src_len = sources(6, seed)
        exact = exhaustive_search(m, src, src_len, max_len=4)
        greedy_wrong += sum(a != b for a, b in zip(greedy_decode(m, src, src_len, 4).ids, exact.ids))
        beam2_wrong += sum(a != b for a, b in zip(beam_search(m, src, src_len, 2, 4).ids, exact.ids))
    assert greedy_wrong >= 3 and greedy_wrong > beam2_wrong


def test_exhaustive_search_sees_every_output_once():
    m = tiny()
    outs = all_outputs(m, 3)
    assert len(outs) == len({tuple(y) for y in outs}) == (1 + 3 + 9) + 27
    src, src_len = sources(2)
    n = len(outs)
    total = sequence_logprob(m, src[:1].expand(n, -1), src_len[:1].expand(n), outs).exp().sum()
    assert 0.0 < float(total) <= 1.0 + 1e-12  # the probabilities of disjoint events
    with pytest.raises(ValueError, match="possible outputs"):
        exhaustive_search(tiny(tgt_vocab_size=13), src, src_len, max_len=6)


@pytest.mark.parametrize("beam_size", [1, 3, 8])
def test_reported_logprob_is_the_models(beam_size):
    m = tiny(tgt_vocab_size=13, sharpen=1.0)
    src, src_len = sources(7, 1)
    for result in (beam_search(m, src, src_len, beam_size, 6), greedy_decode(m, src, src_len, 6)):
        assert torch.allclose(result.logprob, sequence_logprob(m, src, src_len, result.ids), rtol=0, atol=1e-10)


def test_batched_beam_equals_one_example_at_a_time():
    m = tiny(tgt_vocab_size=13, sharpen=1.5)
    src, src_len = sources(6, 2)
    together = beam_search(m, src, src_len, 4, 6)
    for i in range(6):
        alone = beam_search(m, src[i:i + 1], src_len[i:i + 1], 4, 6)
        assert alone.ids == [together.ids[i]] and alone.cell_evals == [together.cell_evals[i]]
        assert math.isclose(float(alone.logprob[0]), float(together.logprob[i]), abs_tol=1e-12)


def test_n_best_is_sorted_and_distinct():
    m = tiny(seed=1)
    src, src_len = sources(3, 1)
    best = beam_search(m, src, src_len, 27, 4, n_best=5)
    exact = exhaustive_search(m, src, src_len, 4)
    assert best[0].ids == exact.ids
    for i in range(3):
        lps = [float(r.logprob[i]) for r in best]
        assert lps == sorted(lps, reverse=True)
        assert len({tuple(r.ids[i]) for r in best}) == 5


@pytest.mark.parametrize("alpha", [0.6, 1.0])
def test_length_penalty_ranks_by_logprob_over_length_power(alpha):
    m = tiny(seed=2)
    src, src_len = sources(4, 2)
    outs = all_outputs(m, 4)
    lengths = torch.tensor([len(y) for y in outs], dtype=torch.float64)
    beam = beam_search(m, src, src_len, 27, 4, length_penalty=alpha)
    for i in range(4):
        n = len(outs)
        lp = sequence_logprob(m, src[i:i + 1].expand(n, -1), src_len[i:i + 1].expand(n), outs)
        best = int((lp / lengths**alpha).argmax())
        assert beam.ids[i] == outs[best]
        assert math.isclose(float(beam.score[i]), float(lp[best] / len(outs[best]) ** alpha), abs_tol=1e-12)


def test_pad_and_bos_are_never_emitted():
    m = tiny(tgt_vocab_size=13)
    with torch.no_grad():
        m.decoder.head.bias[PAD] += 50.0  # the model itself prefers them by far
        m.decoder.head.bias[BOS] += 50.0
    src, src_len = sources(6)
    for r in (greedy_decode(m, src, src_len, 5), beam_search(m, src, src_len, 4, 5)):
        assert all(PAD not in y and BOS not in y for y in r.ids)
        assert all(len(y) == 5 or y[-1] == EOS for y in r.ids)
        assert (r.logprob < -40).all()  # the scores stay the model's: the banned mass is not renormalised away


def test_outputs_end_at_eos_or_max_len_and_cost_is_counted():
    m = tiny(tgt_vocab_size=13, sharpen=1.0)
    src, src_len = sources(8, 3)
    g = greedy_decode(m, src, src_len, 6)
    for y, tokens, done in zip(g.ids, g.tokens, g.finished):
        assert EOS not in y[:-1] and 1 <= len(y) <= 6
        assert done == (y[-1] == EOS) and tokens == (y[:-1] if done else y)
    b = beam_search(m, src, src_len, 5, 6)
    assert all(1 <= c <= 5 * 6 for c in b.cell_evals)
    assert count_decoder_steps(b) == sum(b.cell_evals) and count_decoder_steps(g) == sum(len(y) for y in g.ids)
    wide = beam_search(m, src, src_len, 5, 6, length_penalty=1.0)  # no early stop: runs until the beam empties
    assert count_decoder_steps(wide) > count_decoder_steps(g)


def test_search_restores_training_mode_and_checks_arguments():
    m = tiny()
    src, src_len = sources(2)
    m.train()
    greedy_decode(m, src, src_len, 3)
    assert m.training
    with pytest.raises(ValueError, match="beam_size"):
        beam_search(m, src, src_len, 0, 3)
    with pytest.raises(ValueError, match="max_len"):
        greedy_decode(m, src, src_len, 0)
    with pytest.raises(ValueError, match="length_penalty"):
        beam_search(m, src, src_len, 2, 3, length_penalty=-1.0)
