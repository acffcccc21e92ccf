"""Probes of a trained char-LM: samples at several temperatures, next-character entropy against
temperature, and the LSTM's gate activations over a passage of the held-out play.

Each probe is one function of (model, vocab, text) returning plain JSON data, so the showcase
builder (figures/showcase.py) can call them one by one on the model it trained, and tests can call
them on a tiny model. Gates are read from our from-scratch cells holding the trained nn.LSTM's weights
(torch_compat.copy_torch_to_charlm), checked to compute the same logits.
"""
import math

import torch
import torch.nn.functional as F

from ..data import Vocab
from ..model import CharLM, CharLMConfig
from ..sample import greedy, next_char_entropy, sample
from ..torch_compat import copy_torch_to_charlm
from ._common import mean
from ._probe import lstm_gates

GATES = ("i", "f", "o")
EXCERPT_ANCHOR = "\nBRUTUS.\n"  # the gate excerpt starts at the first speech of Brutus after EXCERPT_AFTER
EXCERPT_AFTER = 20_000
SAMPLE_ANCHOR = "\nCASSIUS.\n"  # samples continue the validation text up to a speech of Cassius
SAMPLE_AFTER = 40_000


def anchor_position(text: str, anchor: str, after: int) -> int:
    """Index just past the newline that starts `anchor`'s first occurrence after `after` (else
    anywhere; else the middle of the text, for corpora without that speaker)."""
    k = text.find(anchor, after)
    if k < 0:
        k = text.find(anchor)
    return k + 1 if k >= 0 else len(text) // 2


def is_boundary(ch: str) -> bool:
    """Word boundary: a space, line break or punctuation mark, i.e. anything but a letter or digit."""
    return not ch.isalnum()


# ------------------------------------------------------------------ samples


def sample_prompt(val_text: str, context: int) -> str:
    """The `context` characters of validation text ending with a speaker line (SAMPLE_ANCHOR).
    A real context, not a bare name: the samples then continue a scene the model has read."""
    end = anchor_position(val_text, SAMPLE_ANCHOR, SAMPLE_AFTER)
    end = val_text.index("\n", end) + 1 if "\n" in val_text[end:] else end  # include the speaker line
    return val_text[max(0, end - context):end]


@torch.no_grad()
def generated_log_likelihood(model, vocab: Vocab, prompt: str, text: str) -> float:
    """Mean log p(c_t | c_<t) in nats over the characters of text after the prompt (text starts with it)."""
    model.eval()
    ids = vocab.encode(text).view(1, -1)
    logits, _ = model(ids[:, :-1])
    logp = torch.log_softmax(logits[0].double(), dim=-1).gather(-1, ids[0, 1:, None])[:, 0]
    return float(logp[len(prompt) - 1:].mean())


def samples_at_temperatures(model, vocab: Vocab, prompt: str, temperatures, length: int, seed: int) -> list:
    """[{"temperature" (None = greedy argmax), "text" (after the prompt), "mean_log_likelihood"}].
    The same seed at every temperature (common random numbers: only the temperature differs)."""
    out = []
    for T in (None,) + tuple(temperatures):
        txt = greedy(model, vocab, prompt, length) if T is None else \
            sample(model, vocab, prompt, length, temperature=T, seed=seed)
        out.append({"temperature": None if T is None else float(T), "text": txt[len(prompt):],
                    "mean_log_likelihood": generated_log_likelihood(model, vocab, prompt, txt)})
    return out


# ------------------------------------------------------------------ entropy vs temperature


@torch.no_grad()
def entropy_vs_temperature(model, vocab: Vocab, val_ids: torch.Tensor, positions: int, grid_size: int) -> dict:
    """Mean entropy of the next-character distribution, and the validation cross-entropy, at
    temperatures 0.05 .. 5 (log-spaced), over the first `positions` predictions of the validation text."""
    model.eval()
    ids = val_ids[:positions + 1].view(1, -1)
    logits = model(ids[:, :-1])[0][0]  # (N, V)
    targets = ids[0, 1:]
    grid = [float(0.05 * (100.0 ** (k / (grid_size - 1)))) for k in range(grid_size)]
    ent = [float(next_char_entropy(logits, T).mean()) for T in grid]
    xent = [float(F.cross_entropy(logits.double() / T, targets)) for T in grid]
    best = min(range(len(grid)), key=lambda k: xent[k])
    return {"temperature": grid, "mean_entropy": ent, "val_cross_entropy": xent,
            "at_temperature_1": float(next_char_entropy(logits, 1.0).mean()),
            "best_temperature": grid[best], "positions": int(targets.numel()), "log_vocab": math.log(vocab.size)}


# ------------------------------------------------------------------ gates


def scratch_twin(model) -> CharLM:
    """Our from-scratch CharLM holding a TorchCharLM's weights, in eval mode."""
    scratch = CharLM(CharLMConfig(**{**model.config.to_dict(), "backend": "scratch"}))
    copy_torch_to_charlm(model, scratch)
    return scratch.eval()


def gate_excerpt(val_text: str, length: int) -> tuple[int, str]:
    """(start, excerpt): the excerpt starts at a speech of Brutus (EXCERPT_ANCHOR) and is cut back to
    end just after a complete word, at most `length` characters."""
    start = anchor_position(val_text, EXCERPT_ANCHOR, EXCERPT_AFTER)
    piece = val_text[start:start + length + 1]
    end = max((k for k in range(1, len(piece)) if is_boundary(piece[k]) and not is_boundary(piece[k - 1])),
              default=len(piece) - 1)
    return start, piece[:end]


@torch.no_grad()
def record_gates(scratch: CharLM, vocab: Vocab, warmup: str, text: str) -> list:
    """Run our LSTM CharLM over warmup (state only) then text; per layer, {gate: tensor (len(text), H)}
    for i, f, o (after the sigmoid), each read at the step that consumes that character."""
    x = scratch.embed(vocab.encode(warmup + text).view(1, -1))  # (1, N, E)
    states = [cell.init_state(x[:, 0]) for cell in scratch.cells]
    rows = [{k: [] for k in GATES} for _ in scratch.cells]
    for t in range(x.size(1)):
        inp = x[:, t]
        for layer, cell in enumerate(scratch.cells):
            gates = lstm_gates(cell, inp, states[layer])
            inp, states[layer] = cell(inp, states[layer])
            if t >= len(warmup):
                for k in GATES:
                    rows[layer][k].append(gates[k][0])
    return [{k: torch.stack(v).double() for k, v in layer.items()} for layer in rows]


def char_class(ch: str) -> str:
    """"space", "newline", "punct" (the three kinds of word boundary) or "inside" (a letter or digit)."""
    if ch == "\n":
        return "newline"
    if ch.isspace():
        return "space"
    return "punct" if is_boundary(ch) else "inside"


def boundary_split(gates: dict, text: str, units=None) -> dict:
    """Mean of each gate over the given units (default: all), at word boundaries, inside words, over
    all characters, and per character class (char_class). gates: {gate: (len(text), H)}.
    Returns {gate: {"boundary", "inside", "all", "space", "newline", "punct"}} (a class absent from
    the text is left out)."""
    mask = torch.tensor([is_boundary(c) for c in text])
    classes = [char_class(c) for c in text]
    out = {}
    for k, v in gates.items():
        v = v if units is None else v[:, list(units)]
        out[k] = {"boundary": float(v[mask].mean()), "inside": float(v[~mask].mean()), "all": float(v.mean())}
        for cls in ("space", "newline", "punct"):
            m = torch.tensor([c == cls for c in classes])
            if m.any():
                out[k][cls] = float(v[m].mean())
    return out


def choose_units(gates: dict, n: int) -> list:
    """The rule for the units shown: the n units whose forget gate varies most over the text
    (largest standard deviation over the characters), listed in index order."""
    spread = gates["f"].std(dim=0)  # (H,)
    top = torch.argsort(spread, descending=True, stable=True)[:n]
    return sorted(int(u) for u in top)


def per_unit_summary(gates: dict, text: str, units=None) -> dict:
    """Per unit (default: all H): mean of each gate over the text, the forget gate's standard
    deviation (the unit rule's key), and each gate's inside-words minus at-boundaries gap."""
    mask = torch.tensor([is_boundary(c) for c in text])
    g = gates if units is None else {k: v[:, list(units)] for k, v in gates.items()}
    return {**{f"{k}_mean": [float(x) for x in g[k].mean(0)] for k in GATES},
            "f_std": [float(x) for x in g["f"].std(dim=0)],
            **{f"{k}_gap": [float(x) for x in g[k][~mask].mean(0) - g[k][mask].mean(0)] for k in GATES}}


def logit_agreement(model, scratch: CharLM, vocab: Vocab, text: str) -> float:
    """Largest |logit difference| between the torch model and its scratch twin on text."""
    with torch.no_grad():
        ids = vocab.encode(text).view(1, -1)
        model.eval()
        return float((scratch(ids)[0] - model(ids)[0]).abs().max())


def gate_probe(model, vocab: Vocab, val_text: str, excerpt_length: int, warmup_length: int, n_units: int,
               span_length: int) -> dict:
    """Gates of the last LSTM layer over the excerpt (the figure) and over a longer span that starts
    with it (the statistics); the units shown are chosen by choose_units on the span."""
    scratch = scratch_twin(model)
    start, excerpt = gate_excerpt(val_text, excerpt_length)
    warmup = val_text[max(0, start - warmup_length):start]  # sets the state the excerpt starts from
    span = val_text[start:start + max(span_length, len(excerpt))]
    layers = record_gates(scratch, vocab, warmup, span)
    layer_shown = len(layers) - 1
    g_span = layers[layer_shown]
    g_ex = {k: v[:len(excerpt)] for k, v in g_span.items()}
    units = choose_units(g_span, min(n_units, g_span["f"].size(1)))
    f_span = g_span["f"]
    return {
        "excerpt": excerpt, "chars": list(excerpt), "warmup_chars": len(warmup), "span_chars": len(span),
        "layer_shown": layer_shown, "num_layers": len(layers), "hidden_size": int(f_span.size(1)),
        "unit_rule": f"the {len(units)} units whose forget gate has the largest standard deviation over the span",
        "unit_index": units,
        "units": {k: [[float(x) for x in g_ex[k][:, u]] for u in units] for k in GATES},
        "excerpt_shown_units": boundary_split(g_ex, excerpt, units),
        "excerpt_all_units": boundary_split(g_ex, excerpt),
        "span_shown_units": boundary_split(g_span, span, units),
        "span_all_units": boundary_split(g_span, span),
        "span_all_layers": [boundary_split(g, span) for g in layers],
        "per_unit_span": per_unit_summary(g_span, span),
        "per_unit_excerpt_shown": per_unit_summary(g_ex, excerpt, units),
        "boundary_chars_in_excerpt": sum(is_boundary(c) for c in excerpt),
        "max_abs_logit_diff": logit_agreement(model, scratch, vocab, warmup + excerpt),
    }


def _fraction(values, test) -> float:
    values = list(values)
    return sum(1 for v in values if test(v)) / len(values)


def _unit_stats(pu: dict, prefix: str) -> dict:
    """Extremes and counts over units of one per_unit_summary (quoted about the figure's rows)."""
    out = {}
    for k in GATES:
        m, gap = pu[f"{k}_mean"], pu[f"{k}_gap"]
        out.update({f"{prefix}_{k}_unit_mean_max": max(m), f"{prefix}_{k}_unit_mean_min": min(m),
                    f"{prefix}_{k}_n_units_above_0.9": sum(v > 0.9 for v in m),
                    f"{prefix}_{k}_n_units_above_0.8": sum(v > 0.8 for v in m),
                    f"{prefix}_{k}_n_units_below_0.2": sum(v < 0.2 for v in m),
                    f"{prefix}_{k}_frac_lower_at_boundaries": _fraction(gap, lambda v: v > 0)})
    return out


def gate_quotes(g: dict) -> dict:
    """The numbers the page quotes about the gate figure (see gate_probe): ex_shown = the figure's
    rows (shown units, excerpt); ex_all / span_all = every unit of the layer, over the excerpt / the
    longer span."""
    splits = {"ex_shown": g["excerpt_shown_units"], "ex_all": g["excerpt_all_units"],
              "span_shown": g["span_shown_units"], "span_all": g["span_all_units"]}
    return {
        "n_units_shown": len(g["unit_index"]), "hidden_size": g["hidden_size"], "layer_shown": g["layer_shown"] + 1,
        "num_layers": g["num_layers"], "excerpt_chars": len(g["excerpt"]), "span_chars": g["span_chars"],
        "boundary_chars_in_excerpt": g["boundary_chars_in_excerpt"],
        **{f"{name}_{k}_{w}": v for name, split in splits.items() for k in GATES for w, v in split[k].items()},
        **_unit_stats(g["per_unit_excerpt_shown"], "shown"),
        **_unit_stats(g["per_unit_span"], "all"),
        "scratch_vs_torch_max_abs_logit_diff": g["max_abs_logit_diff"],
    }
