"""TEMPORARY development builder for the playground (issue 10): drop it once showcase.py exports.

Trains the CLI's default model (2×256 LSTM, torch backend) for a few steps, one thread, seed 0,
keeps the checkpoint as .playground_dev.pt, and exports it for the browser with
browser_export.export_checkpoint (the same call the showcase builder makes on .showcase.pt).
Writes playground_dev.json (quotes) and the playground-* files.
"""
from pathlib import Path

import torch

from ..browser_export import export_checkpoint
from ..checkpoint import save_checkpoint
from ..cli import DEFAULTS
from ..corpus import load_corpus, train_val_split
from ..data import Vocab
from ..model import CharLMConfig, build_model
from ..train import TrainConfig, train
from .style import save_json

STEPS = 150
CHECKPOINT = ".playground_dev.pt"


def build(out_dir: Path) -> None:
    torch.set_num_threads(1)
    text = load_corpus()
    train_text, val_text = train_val_split(text)
    vocab = Vocab.from_text(text)
    config = CharLMConfig(vocab_size=vocab.size, cell=DEFAULTS["cell"], embed_size=DEFAULTS["embed"],
                          hidden_size=DEFAULTS["hidden"], num_layers=DEFAULTS["layers"],
                          dropout=DEFAULTS["dropout"], backend=DEFAULTS["backend"])
    tcfg = TrainConfig(batch_size=DEFAULTS["batch_size"], seq_len=DEFAULTS["seq_len"], lr=DEFAULTS["lr"],
                       steps=STEPS, minutes=None, eval_every=STEPS, reset_prob=DEFAULTS["reset_prob"], seed=0)
    torch.manual_seed(0)
    model = build_model(config)
    train(model, vocab.encode(train_text), vocab.encode(val_text), tcfg, progress=False)
    save_checkpoint(out_dir / CHECKPOINT, model, vocab, config, {"train_config": tcfg.to_dict()})
    quotes = export_checkpoint(out_dir / CHECKPOINT, out_dir)
    save_json({"quotes": quotes}, out_dir / "playground_dev.json")
