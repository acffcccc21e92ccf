"""Export a trained char-LSTM for the in-browser playground: weights, manifest and reference logits.

The page runs the model in plain JavaScript (docs/javascripts/playground/lstm.js), so the weights
must be small on the wire. Two encodings are measured on every export and the more accurate one
that fits the budget ships:

    fp16                            w ≈ half(w)
    int8, one scale per output row  w[r, :] ≈ s_r · q[r, :],  s_r = max|w[r, :]| / 127,  q ∈ [-127, 127]

For each: gzip size, validation loss of the decoded model (the PyTorch model with its matrices
replaced by the decoded ones) next to the original's, and mean KL(p_torch ‖ p_decoded) and argmax
agreement over the same validation characters. Biases stay float32 (they are tiny).

Files (all prefixed ``playground-`` so they sit beside a builder's other outputs):
    playground-weights.<sha>.bin the tensors, little-endian, listed with offsets in the manifest; the
                                 name carries the first 12 hex digits of the file's SHA-256, so a
                                 browser's cached copy of older weights never pairs with a newer manifest
    playground-manifest.json     vocabulary, shapes, dtypes, offsets (scales live in the .bin as
                                 float32, one per row; the manifest gives their offsets), val losses
    playground-reference.json    a fixed prompt (the first REFERENCE_CHARS characters of the held-out
                                 text) and how the decoded model's predictions on it differ
    playground-reference.bin     PyTorch's logits after every character of that prompt, float32
                                 (2, T, V): [0] the float32 model, [1] the decoded (shipped) weights;
                                 the browser test checks the JavaScript model against both
Same model, same bytes: no timestamps, sorted JSON, gzip with mtime 0.
"""
from __future__ import annotations

import copy
import gzip
import hashlib
import math
import os
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from lesson_code.lessonkit.files import atomic_write_bytes, json_text

from .cells import LSTMCell
from .data import Vocab, bptt_batches
from .model import CharLM, TorchCharLM

FORMAT = "lesson_code.day03.browser"
VERSION = 1
PREFIX = "playground-"
MANIFEST = PREFIX + "manifest.json"
REFERENCE, REFERENCE_LOGITS = PREFIX + "reference.json", PREFIX + "reference.bin"
REFERENCE_CHARS = 1000  # the reference prompt: the first characters of the held-out text
WIRE_BUDGET = 1_000_000  # bytes of gzip on the wire (issue 10)
ENCODINGS = ("fp16", "int8")  # most accurate first: the first that fits the budget ships


def weights_file_name(sha256_hex: str) -> str:
    """playground-weights.<first 12 hex digits of the file's SHA-256>.bin: the name changes with the content."""
    return f"{PREFIX}weights.{sha256_hex[:12]}.bin"


REFERENCE_PROMPT = (
    "KING.\nWhat news from the north? Speak, and be brief.\n\n"
    "MESSENGER.\nMy lord, the rebels gather by the river,\n"
    "And every man that rides with them is sworn\n"
    "To hold the bridge until your army come.\n\n"
    "KING.\nThen let them hold it; we shall see how long.\n"
)


class ExportError(ValueError):
    """The model cannot be exported for the browser; the message is one line."""


# ------------------------------------------------------------------ the model as plain tensors


def lstm_tensors(model: nn.Module) -> list[tuple[str, torch.Tensor]]:
    """The model as named float32 tensors in the browser's layout, gates in torch's order i, f, g, o:
    embed (V, E); per layer l: l.W_x (4H, n), l.W_h (4H, H), l.b (4H,); head.W (V, H), head.b (V,)."""
    c = getattr(model, "config", None)
    if c is None or c.cell != "lstm":
        kind = getattr(c, "cell", type(model).__name__)
        raise ExportError(f"the browser playground runs LSTMs only, got cell {kind!r}; train with --cell lstm")
    out = [("embed", model.embed.weight)]
    if isinstance(model, CharLM):  # our cells: W_x has no bias, W_h carries b
        for layer, cell in enumerate(model.cells):
            if not isinstance(cell, LSTMCell):
                raise ExportError(f"layer {layer} is a {type(cell).__name__}, not cells.LSTMCell")
            out += [(f"{layer}.W_x", cell.W_x.weight), (f"{layer}.W_h", cell.W_h.weight), (f"{layer}.b", cell.W_h.bias)]
    elif isinstance(model, TorchCharLM):  # nn.LSTM: same gate order, two biases that only ever appear summed
        rnn = model.rnn
        if rnn.bidirectional or rnn.proj_size or not rnn.bias:
            raise ExportError("only a plain nn.LSTM (one direction, no projection, with biases) can be exported")
        for layer in range(rnn.num_layers):
            w = lambda name: getattr(rnn, f"{name}_l{layer}")  # noqa: E731
            out += [(f"{layer}.W_x", w("weight_ih")), (f"{layer}.W_h", w("weight_hh")),
                    (f"{layer}.b", w("bias_ih") + w("bias_hh"))]
    else:
        raise ExportError(f"cannot export a {type(model).__name__}: expected model.CharLM or model.TorchCharLM")
    out += [("head.W", model.head.weight), ("head.b", model.head.bias)]
    return [(name, t.detach().cpu().float().contiguous()) for name, t in out]


def _matrices(model: nn.Module) -> dict[str, nn.Parameter]:
    """The model's weight matrices by browser name (the parameters an encoding replaces)."""
    m = {"embed": model.embed.weight, "head.W": model.head.weight}
    if isinstance(model, CharLM):
        for layer, cell in enumerate(model.cells):
            m[f"{layer}.W_x"], m[f"{layer}.W_h"] = cell.W_x.weight, cell.W_h.weight
    else:
        for layer in range(model.rnn.num_layers):
            m[f"{layer}.W_x"] = getattr(model.rnn, f"weight_ih_l{layer}")
            m[f"{layer}.W_h"] = getattr(model.rnn, f"weight_hh_l{layer}")
    return m


# ------------------------------------------------------------------ encodings


def encode_int8(w: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """w (R, C) float32 -> q (R, C) int8 in [-127, 127], scales (R,) float32 with w ≈ scales[:, None] * q."""
    s = w.abs().amax(dim=1) / 127  # one scale per output row
    s = torch.where(s > 0, s, torch.ones_like(s))  # an all-zero row: any scale decodes to zeros
    q = torch.round(w / s[:, None]).clamp(-127, 127).to(torch.int8)
    return q, s.float()


def decode(name_tensor: torch.Tensor, encoding: str) -> torch.Tensor:
    """A float32 matrix as the browser will see it after ``encoding`` ("fp32" | "fp16" | "int8")."""
    w = name_tensor
    if encoding == "fp32":
        return w.clone()
    if encoding == "fp16":
        return w.half().float()
    if encoding == "int8":
        q, s = encode_int8(w)
        return q.float() * s[:, None]  # float32 product, as the browser's Float32Array stores it
    raise ExportError(f"unknown weight encoding {encoding!r}; expected fp32, fp16 or int8")


def decoded_model(model: nn.Module, encoding: str) -> nn.Module:
    """A copy of ``model`` whose weight matrices are replaced by their ``encoding`` round trip."""
    twin = copy.deepcopy(model).float().eval()
    with torch.no_grad():
        for p in _matrices(twin).values():
            p.copy_(decode(p.detach().float(), encoding))
    return twin


def pack(tensors: list[tuple[str, torch.Tensor]], encoding: str) -> tuple[bytes, list[dict]]:
    """Little-endian bytes of every tensor, matrices in ``encoding``, vectors float32; and their index.
    Every section starts at a multiple of 4 bytes so the browser can view it as a typed array."""
    blob, index = bytearray(), []

    def put(t: torch.Tensor) -> int:
        blob.extend(b"\0" * (-len(blob) % 4))  # align
        offset = len(blob)
        blob.extend(t.contiguous().numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes())
        return offset

    for name, t in tensors:
        entry = {"name": name, "shape": list(t.shape)}
        if t.dim() == 2 and encoding == "int8":
            q, s = encode_int8(t)
            entry.update(dtype="int8", offset=put(q), scales=put(s))  # scales: (rows,) float32
        elif t.dim() == 2 and encoding == "fp16":
            entry.update(dtype="float16", offset=put(t.half()))
        else:
            entry.update(dtype="float32", offset=put(t.float()))
        index.append(entry)
    return bytes(blob), index


def gzip_size(data: bytes) -> int:
    """Bytes on the wire when served gzip-compressed (level 9, no timestamp: deterministic)."""
    return len(gzip.compress(data, compresslevel=9, mtime=0))


# ------------------------------------------------------------------ measurements


@torch.no_grad()
def compare_on_validation(model: nn.Module, twins: dict[str, nn.Module], ids: torch.Tensor, batch_size: int = 16,
                          seq_len: int = 128) -> dict[str, dict]:
    """``model`` and each twin over ids (N,) read as train.evaluate reads them (``batch_size`` streams,
    state carried) -> per twin: both mean losses (nats/char), mean KL(p_model ‖ p_twin) (nats) and
    argmax agreement. The model's pass is shared by all twins."""
    sums = {name: dict(loss=0.0, twin_loss=0.0, kl=0.0, agree=0.0) for name in twins}
    states = {name: None for name in twins}
    count, s_ref = 0, None
    for x, y in bptt_batches(ids, batch_size, seq_len):
        za, s_ref = model(x, s_ref)  # (B, T, V)
        la = F.log_softmax(za.double(), -1)
        loss = F.nll_loss(la.flatten(0, 1), y.flatten(), reduction="sum").item()
        for name, twin in twins.items():
            zb, states[name] = twin(x, states[name])
            lb = F.log_softmax(zb.double(), -1)
            acc = sums[name]
            acc["loss"] += loss
            acc["twin_loss"] += F.nll_loss(lb.flatten(0, 1), y.flatten(), reduction="sum").item()
            acc["kl"] += (la.exp() * (la - lb)).sum().item()  # Σ_v p_model (log p_model − log p_twin)
            acc["agree"] += (za.argmax(-1) == zb.argmax(-1)).sum().item()
        count += y.numel()
    return {name: {"val_nats": a["loss"] / count, "decoded_val_nats": a["twin_loss"] / count,
                   "kl_nats": a["kl"] / count, "argmax_agreement": a["agree"] / count, "val_chars": count}
            for name, a in sums.items()}


@torch.no_grad()
def prompt_logits(model: nn.Module, vocab: Vocab, prompt: str) -> torch.Tensor:
    """Logits (len(prompt), V) after each character of ``prompt``, fed from the zero state."""
    logits, _ = model(vocab.encode(prompt).view(1, -1))
    return logits[0].float()


# ------------------------------------------------------------------ the export


def export_for_browser(model: nn.Module, vocab: Vocab, out_dir: Path, val_ids: torch.Tensor | None,
                       encoding: str | None = None, max_val_chars: int | None = None,
                       reference_prompt: str | None = None) -> dict:
    """Write playground-{weights.<sha>.bin, manifest.json, reference.json} into ``out_dir``; return the quotes.

    encoding None: measure fp16 and int8 and ship the first of ENCODINGS whose gzip size fits
    WIRE_BUDGET; "fp32" | "fp16" | "int8" forces one (the browser test exports fp32 this way).
    val_ids (N,): the held-out text, for the validation losses (None: losses not measured);
    max_val_chars truncates it (quick development builds). reference_prompt None: the first
    REFERENCE_CHARS characters of val_ids, or REFERENCE_PROMPT without them.
    """
    out_dir = Path(out_dir)
    if reference_prompt is None:
        reference_prompt = REFERENCE_PROMPT if val_ids is None else vocab.decode(val_ids[:REFERENCE_CHARS].tolist())
    unknown = vocab.unknown_chars(reference_prompt)
    if unknown:
        raise ExportError(f"the reference prompt has characters outside the vocabulary: {unknown}")
    if not out_dir.is_dir():
        raise ExportError(f"output directory {out_dir} does not exist; create it first")
    if encoding is not None and encoding not in ("fp32", *ENCODINGS):
        raise ExportError(f"unknown weight encoding {encoding!r}; expected fp32, fp16 or int8")
    if val_ids is not None and max_val_chars is not None:
        val_ids = val_ids[:max_val_chars]
    if val_ids is not None and val_ids.numel() < 2 * 16 + 1:
        raise ExportError(f"need at least 33 validation characters to measure the losses, got {val_ids.numel()}")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one thread: the same sums in the same order, so the same bytes every run
    try:
        return _export(copy.deepcopy(model).float().eval(), vocab, out_dir, val_ids, encoding, reference_prompt)
    finally:
        torch.set_num_threads(threads)


def _export(model, vocab, out_dir, val_ids, encoding, reference_prompt) -> dict:
    tensors = lstm_tensors(model)

    measured = {}
    for enc in ([encoding] if encoding else ENCODINGS):
        blob, index = pack(tensors, enc)
        measured[enc] = ({"raw_bytes": len(blob), "gzip_bytes": gzip_size(blob)}, blob, index, decoded_model(model, enc))
    if val_ids is not None:
        losses = compare_on_validation(model, {e: twin for e, (*_, twin) in measured.items()}, val_ids)
        for e, (m, *_) in measured.items():
            m.update(losses[e])
    if encoding is None:
        fits = [e for e in ENCODINGS if measured[e][0]["gzip_bytes"] <= WIRE_BUDGET]
        if not fits:
            sizes = ", ".join(f"{e} {measured[e][0]['gzip_bytes']:,} B" for e in ENCODINGS)
            raise ExportError(f"no encoding fits the {WIRE_BUDGET:,}-byte wire budget ({sizes}); export a smaller model")
        encoding = fits[0]
    chosen, blob, index, twin = measured[encoding]

    c = model.config
    ref = prompt_logits(model, vocab, reference_prompt)
    ref_decoded = prompt_logits(twin, vocab, reference_prompt)
    ref_p, dec_logp = F.log_softmax(ref.double(), -1), F.log_softmax(ref_decoded.double(), -1)
    ref_kl = (ref_p.exp() * (ref_p - dec_logp)).sum(-1)  # (T,)
    ref_agree = (ref.argmax(-1) == ref_decoded.argmax(-1)).double().mean().item()

    state_hash = hashlib.sha256(b"".join(t.numpy().tobytes() for _, t in tensors)).hexdigest()
    weights_sha = hashlib.sha256(blob).hexdigest()
    weights_name = weights_file_name(weights_sha)
    manifest = {
        "format": FORMAT, "version": VERSION,
        "weights": weights_name, "weights_bytes": len(blob), "weights_sha256": weights_sha,
        "model_sha256": state_hash,  # of the float32 tensors: ties the export to its checkpoint
        "encoding": encoding,
        "config": {"cell": "lstm", "gate_order": "ifgo", "vocab_size": c.vocab_size,
                   "embed_size": c.embed_size, "hidden_size": c.hidden_size, "num_layers": c.num_layers,
                   "backend": c.backend},
        "vocab": vocab.to_list(),
        "tensors": index,
        "measured": {e: m for e, (m, *_) in measured.items()},
        "reference": REFERENCE,
    }
    logits_blob = torch.stack([ref, ref_decoded]).numpy().astype("<f4").tobytes()  # (2, T, V)
    reference = {
        "prompt": reference_prompt, "encoding": encoding,
        "logits": REFERENCE_LOGITS, "logits_shape": [2, *ref.shape],
        "logits_rows": ["PyTorch, float32 weights", f"PyTorch, {encoding} weights decoded as the browser does"],
        "kl_nats_mean": ref_kl.mean().item(), "kl_nats_max": ref_kl.max().item(),
        "argmax_agreement": ref_agree,
    }
    for old in out_dir.glob(f"{PREFIX}weights*.bin"):  # an earlier export's weights: no longer named anywhere
        if old.name != weights_name:
            old.unlink()
    atomic_write_bytes(out_dir / weights_name, blob)
    atomic_write_bytes(out_dir / REFERENCE_LOGITS, logits_blob)
    atomic_write_bytes(out_dir / REFERENCE, json_text(reference).encode())
    atomic_write_bytes(out_dir / MANIFEST, json_text(manifest).encode())  # last: its presence means a complete export

    quotes = {
        "encoding": encoding,
        "weights_gzip_kb": chosen["gzip_bytes"] / 1000, "weights_raw_kb": chosen["raw_bytes"] / 1000,
        "fp32_kb": sum(t.numel() for _, t in tensors) * 4 / 1000,
        "ref_kl_nats": ref_kl.mean().item(), "ref_argmax_agreement": ref_agree,
    }
    for e, (m, *_) in measured.items():
        quotes[f"{e}_gzip_kb"] = m["gzip_bytes"] / 1000
        for k in ("decoded_val_nats", "kl_nats", "argmax_agreement"):
            if k in m:
                quotes[f"{e}_{k}"] = m[k]
    if val_ids is not None:
        quotes["val_nats"] = chosen["val_nats"]
        quotes["quantised_val_nats"] = chosen["decoded_val_nats"]
        quotes["val_chars"] = chosen["val_chars"]
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in quotes.items()}


def export_checkpoint(checkpoint: Path, out_dir: Path, text: str | os.PathLike | None = None, **kw) -> dict:
    """Builder entry point: load a checkpoint (checkpoint.load_checkpoint), measure it on the held-out
    part of its corpus (``text``: a UTF-8 file, None: the Shakespeare corpus, split by
    corpus.train_val_split as in training) and export it into ``out_dir``; return the quotes."""
    from .checkpoint import load_checkpoint
    from .corpus import load_corpus, train_val_split

    model, vocab, _, _ = load_checkpoint(checkpoint)
    _, val_text = train_val_split(load_corpus(text))
    unknown = vocab.unknown_chars(val_text)
    if unknown:
        raise ExportError(f"the validation text has characters outside the checkpoint's vocabulary: {unknown[:5]}")
    return export_for_browser(model, vocab, out_dir, vocab.encode(val_text), **kw)
