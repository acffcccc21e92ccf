"""Decoding a trained Seq2Seq: greedy, beam search and (for tiny vocabularies) exhaustive search.

All three rank an output y = y_1 ... y_L by its log-probability under the model,

    log p(y | x) = sum_t log p(y_t | y_<t, context(x)),

where the softmax runs over the full target vocabulary and <pad>, <bos> are then given log-prob
-inf, so they are never emitted (the model's own probability of a sequence is left unchanged).
``max_len`` counts emitted tokens, <eos> included: an output that reaches max_len tokens without
<eos> ends there, unfinished. Every result reports its cost as the number of decoder cell
evaluations per example (one per live hypothesis per step): at most beam_size x max_len for beam
search, often far fewer, since finished hypotheses leave the beam and the search stops early.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import torch

from lesson_code.lessonkit.decoding import evaluating  # eval mode + no_grad, mode restored after

from .model import Seq2Seq, map_state


@dataclass
class Decoded:
    """Decoder outputs for a batch of B sources."""

    ids: list[list[int]]  # per example, the emitted target ids, <eos> included when it was emitted
    logprob: torch.Tensor  # (B,) float64: log p(ids | source)
    score: torch.Tensor  # (B,) what the search ranked by: logprob, or logprob / len^alpha
    cell_evals: list[int]  # per example, decoder cell evaluations spent (hypotheses x steps)
    eos_id: int

    @property
    def tokens(self) -> list[list[int]]:
        """The outputs without their final <eos>."""
        return [s[:-1] if s and s[-1] == self.eos_id else list(s) for s in self.ids]

    @property
    def finished(self) -> list[bool]:
        """Whether each output ended with <eos> (False: cut at max_len)."""
        return [bool(s) and s[-1] == self.eos_id for s in self.ids]


def check_search_args(src, src_len, max_len, beam_size=1):
    if src.dim() != 2 or src_len.shape != src.shape[:1]:
        raise ValueError(f"src must be (B, S) and src_len (B,), got {tuple(src.shape)} and {tuple(src_len.shape)}")
    if not isinstance(max_len, int) or max_len < 1:
        raise ValueError(f"max_len must be an integer >= 1, got {max_len!r}")
    if not isinstance(beam_size, int) or beam_size < 1:
        raise ValueError(f"beam_size must be an integer >= 1, got {beam_size!r}")


def next_logprobs(model: Seq2Seq, token, state):
    """token (N,), state -> log p(next token) (N, V) in float64 with <pad>, <bos> at -inf, new state."""
    logits, state = model.decoder.step(token, state)
    logp = torch.log_softmax(logits.double(), dim=-1)  # (N, V): the model's own distribution
    banned = [model.config.pad_id, model.config.bos_id]
    return logp.index_fill(-1, torch.tensor(banned, device=logp.device), -math.inf), state


# --8<-- [start:greedy]
def greedy_decode(model: Seq2Seq, src, src_len, max_len: int) -> Decoded:
    """Pick the most likely next token at every step, for the whole batch at once."""
    check_search_args(src, src_len, max_len)
    eos = model.config.eos_id
    B = src.size(0)
    with evaluating(model):
        state = model.encode(src, src_len)  # the context
        token = src.new_full((B,), model.config.bos_id)  # (B,) every output starts after <bos>
        logprob = torch.zeros(B, dtype=torch.float64, device=src.device)
        live = torch.ones(B, dtype=torch.bool, device=src.device)  # not yet past <eos>
        steps = []
        for _ in range(max_len):
            logp, state = next_logprobs(model, token, state)  # (B, V)
            best, token = logp.max(dim=-1)  # (B,), (B,): y_t = argmax_y p(y | y_<t, x)
            logprob += torch.where(live, best, torch.zeros_like(best))  # finished rows add nothing
            steps.append(torch.where(live, token, -1))  # -1 marks steps after a row's <eos>
            live &= token != eos
            if not live.any():
                break
    ids = [[i for i in row if i >= 0] for row in torch.stack(steps, dim=1).tolist()]  # (B, t) -> lists
    return Decoded(ids, logprob, logprob.clone(), [len(y) for y in ids], eos)
# --8<-- [end:greedy]


# --8<-- [start:beam]
def beam_search(model: Seq2Seq, src, src_len, beam_size: int, max_len: int,
                length_penalty: float = 0.0, n_best: int = 1) -> Decoded | list[Decoded]:
    """Keep the ``beam_size`` most likely partial outputs per example (Sutskever et al., 2014).

    Each step extends every live hypothesis by every token and keeps the best ``beam_size`` of
    the extensions; one that ends in <eos> (or reaches max_len) is finished and leaves the beam,
    and the next step again keeps the best ``beam_size`` extensions of those still live (the beam
    is refilled from them). With length_penalty alpha = 0 (the default) a finished hypothesis is
    ranked by its log-prob, and the search stops once the best finished one is at least as likely
    as every live one (extending a hypothesis only lowers its log-prob, so none can overtake it).
    With alpha > 0 finished ones are ranked by logprob / len^alpha (len counts <eos>), which
    favours longer outputs; that early stop no longer holds, so the search runs until the beam is
    empty or max_len. beam_size 1 is greedy decoding. Returns the best output per example, or a
    list of the n_best best (as Decoded, best first) when n_best > 1 (an example with fewer
    finished hypotheses repeats its last one).
    """
    check_search_args(src, src_len, max_len, beam_size)
    if not isinstance(n_best, int) or n_best < 1:
        raise ValueError(f"n_best must be an integer >= 1, got {n_best!r}")
    if not length_penalty >= 0:
        raise ValueError(f"length_penalty must be >= 0, got {length_penalty}")
    eos, k = model.config.eos_id, beam_size
    B = src.size(0)
    with evaluating(model):
        context = model.encode(src, src_len)
        state = map_state(lambda s: s.repeat_interleave(k, dim=0), context)  # (B*k, H): beam j of example b at b*k + j
        V = model.config.tgt_vocab_size
        scores = torch.full((B, k), -math.inf, dtype=torch.float64, device=src.device)
        scores[:, 0] = 0.0  # one live hypothesis (the empty output) to start
        token = src.new_full((B * k,), model.config.bos_id)
        history = src.new_zeros(B, k, 0)  # (B, k, t) tokens of each live hypothesis
        finished: list[list[tuple[float, float, list[int]]]] = [[] for _ in range(B)]  # (score, logprob, ids)
        evals = [0] * B
        for t in range(1, max_len + 1):
            live = scores > -math.inf  # (B, k)
            for b, n in enumerate(live.sum(dim=1).tolist()):
                evals[b] += n
            logp, state = next_logprobs(model, token, state)  # (B*k, V)
            cand = (scores.unsqueeze(-1) + logp.view(B, k, V)).view(B, k * V)  # log p(y_<t, y_t | x)
            top, flat = cand.topk(k, dim=1)  # (B, k): best k extensions of all live hypotheses
            origin, token = flat // V, flat % V  # which hypothesis, which next token
            history = torch.cat([history.gather(1, origin.unsqueeze(-1).expand(-1, -1, t - 1)),
                                 token.unsqueeze(-1)], dim=2)  # (B, k, t)
            ends = (token == eos) | (t == max_len)
            for b, j in ((top > -math.inf) & ends).nonzero().tolist():
                lp = float(top[b, j])
                finished[b].append((lp / t**length_penalty, lp, history[b, j].tolist()))
            scores = top.masked_fill(ends, -math.inf)  # finished ones leave the beam
            if length_penalty == 0:
                best_done = torch.tensor([max((f[0] for f in fs), default=-math.inf) for fs in finished],
                                         dtype=torch.float64, device=src.device)
                scores = scores.masked_fill(best_done.unsqueeze(1) >= scores.max(dim=1, keepdim=True).values,
                                            -math.inf)  # no live one can beat the best finished: done
            if not (scores > -math.inf).any():
                break
            rows = (torch.arange(B, device=src.device).unsqueeze(1) * k + origin).flatten()  # (B*k,)
            state = map_state(lambda s: s.index_select(0, rows), state)  # follow each survivor's parent
            token = token.flatten()
    ranked = [sorted(fs, key=lambda f: -f[0]) for fs in finished]
    results = []
    for i in range(n_best):
        picks = [r[min(i, len(r) - 1)] for r in ranked]
        results.append(Decoded([p[2] for p in picks], torch.tensor([p[1] for p in picks], dtype=torch.float64),
                               torch.tensor([p[0] for p in picks], dtype=torch.float64), list(evals), eos))
    return results[0] if n_best == 1 else results
# --8<-- [end:beam]


def sequence_logprob(model: Seq2Seq, src, src_len, outputs: list[list[int]], context=None) -> torch.Tensor:
    """log p(y | x) of given outputs (emitted ids, <eos> included if emitted), teacher-forced -> (B,) float64.

    The same scoring as the searches: full softmax, <pad> and <bos> at -inf. ``context`` (B rows), when
    given, is used instead of encoding ``src`` again (exhaustive search scores many outputs of one source).
    """
    cfg = model.config
    if len(outputs) != src.size(0) or any(len(y) == 0 for y in outputs):
        raise ValueError("need one non-empty output per source")
    T = max(len(y) for y in outputs)
    tgt = src.new_full((len(outputs), T), cfg.pad_id)  # (B, T) the outputs, padded
    for b, y in enumerate(outputs):
        tgt[b, :len(y)] = torch.tensor(y)
    tgt_in = torch.cat([src.new_full((len(outputs), 1), cfg.bos_id), tgt[:, :-1]], dim=1)  # <bos> y_1 ... y_{T-1}
    with evaluating(model):
        context = model.encode(src, src_len) if context is None else context
        logp = torch.log_softmax(model.decoder(tgt_in, context).double(), dim=-1)  # (B, T, V)
    logp[..., [cfg.pad_id, cfg.bos_id]] = -math.inf
    picked = logp.gather(-1, tgt.unsqueeze(-1)).squeeze(-1)  # (B, T): log p(y_t | y_<t, x)
    real = torch.arange(T, device=src.device)[None, :] < torch.tensor([len(y) for y in outputs])[:, None]
    return torch.where(real, picked, torch.zeros_like(picked)).sum(dim=1)


def all_outputs(model: Seq2Seq, max_len: int) -> list[list[int]]:
    """Every possible output up to max_len tokens: y_1 ... y_{L-1} <eos> for L <= max_len, and the
    unfinished ones of exactly max_len tokens without <eos>. There are (A^max_len - 1)/(A - 1) + A^max_len
    of them for A emittable non-<eos> tokens, so this is for tiny vocabularies only."""
    cfg = model.config
    words = [i for i in range(cfg.tgt_vocab_size) if i not in (cfg.pad_id, cfg.bos_id, cfg.eos_id)]
    outs = [list(p) + [cfg.eos_id] for L in range(max_len) for p in itertools.product(words, repeat=L)]
    return outs + [list(p) for p in itertools.product(words, repeat=max_len)]


def exhaustive_search(model: Seq2Seq, src, src_len, max_len: int, limit: int = 100_000) -> Decoded:
    """The exact most likely output per example, by scoring every output up to max_len tokens.

    The reference beam search is tested against; ValueError if there are more than ``limit`` outputs.
    """
    check_search_args(src, src_len, max_len)
    A = model.config.tgt_vocab_size - 3
    total = sum(A**L for L in range(max_len)) + A**max_len
    if total > limit:
        raise ValueError(f"{total:,} possible outputs (vocabulary {A + 3}, max_len {max_len}): "
                         f"more than limit={limit:,}; use a smaller vocabulary or max_len")
    outs = all_outputs(model, max_len)
    ids, logprobs = [], []
    n = len(outs)
    for b in range(src.size(0)):
        with evaluating(model):
            context = map_state(lambda s: s.expand(n, -1), model.encode(src[b:b + 1], src_len[b:b + 1]))  # read once
        lp = sequence_logprob(model, src[b:b + 1].expand(n, -1), src_len[b:b + 1].expand(n), outs, context)  # (n,)
        best = int(lp.argmax())
        ids.append(outs[best])
        logprobs.append(lp[best])
    logprob = torch.stack(logprobs)
    return Decoded(ids, logprob, logprob.clone(), [len(outs) * max_len] * src.size(0), model.config.eos_id)


def count_decoder_steps(result: Decoded | list[Decoded]) -> int:
    """Total decoder cell evaluations a search spent over its batch (its cost, beam width x steps)."""
    first = result[0] if isinstance(result, list) else result
    return sum(first.cell_evals)
