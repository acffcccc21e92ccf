"""Teacher forcing against free running: what one mistake costs the positions after it.

Trained with teacher forcing, the decoder has only ever read correct previous digits. At inference it
reads its own. Up to its first mistake the two are the same run; after it, the teacher-forced decoder
is handed the right digit again, the free-running one continues from its own wrong one. Comparing
their accuracy on the positions after the first mistake measures how errors compound. It does not
isolate exposure bias (the train/test mismatch): a decoder trained on its own outputs could still
lose accuracy after a wrong digit, and that comparison would need such a model.

The gap's interval is a bootstrap over the wrong numbers (positions within a number are not
independent), from lessonkit.statistics.
"""
from __future__ import annotations

from lesson_code.lessonkit.experiments import single_thread
from lesson_code.lessonkit.statistics import bootstrap_interval, proportion

from ..numbers import MAX_DIGITS, batch_of_numbers
from ..search import evaluating, greedy_decode
from ._models import PER_DIGIT, STEPS, test_numbers, trained

HIDDEN, BRIDGE = 64, 128  # the same model as the decoding experiment


def run(seed: int = 0, hidden: int = HIDDEN, bridge: int = BRIDGE, steps: int = STEPS,
        per_digit: int = PER_DIGIT) -> dict:
    """Per test number: the first wrong position, then both decoders' accuracy on the positions after it."""
    model, _ = trained(hidden, False, seed, steps, bridge, per_digit, seed)
    numbers = list(test_numbers(seed, per_digit))
    pad = model.config.pad_id
    after_tf = after_free = after_n = 0  # right answers after the first mistake, and positions counted
    same_tf = same_free = same_n = 0  # the same, over wrong outputs of the right length only (no shift)
    n_wrong = wrong_length = diverged = 0
    tokens = right_tf = right_free = 0
    gaps, gaps_same = [], []  # per wrong number with positions after its first mistake: tf share - free share
    with single_thread(), evaluating(model):
        for i in range(0, len(numbers), 256):
            b = batch_of_numbers(numbers[i:i + 256])
            logits = model(b.src, b.src_len, b.tgt_in)  # (B, T, V): each digit given the true prefix
            logits[..., [pad, model.config.bos_id]] = -float("inf")  # never emitted, as in the searches
            tf = logits.argmax(-1)  # (B, T)
            free = greedy_decode(model, b.src, b.src_len, MAX_DIGITS + 1).ids
            for j in range(b.src.size(0)):
                target = b.tgt_out[j, b.tgt_out[j] != pad].tolist()  # digits + <eos>
                pred_tf = tf[j, :len(target)].tolist()
                got = free[j]
                tokens += len(target)
                right_tf += sum(p == t for p, t in zip(pred_tf, target))
                right_free += sum(p == t for p, t in zip(got, target))
                if got == target:
                    continue
                n_wrong += 1
                wrong_length += len(got) != len(target)
                first = next(t for t in range(len(target)) if t >= len(got) or got[t] != target[t])
                diverged += got[:first + 1] != pred_tf[:first + 1]  # same prefix, same argmax: expect 0
                later = range(first + 1, len(target))
                n_tf = sum(pred_tf[t] == target[t] for t in later)
                n_free = sum(t < len(got) and got[t] == target[t] for t in later)
                after_n += len(later)
                after_tf += n_tf
                after_free += n_free
                if later:
                    gaps.append((n_tf - n_free) / len(later))
                if len(got) == len(target):
                    same_n += len(later)
                    same_tf += n_tf
                    same_free += n_free
                    if later:
                        gaps_same.append((n_tf - n_free) / len(later))
    quotes = {"hidden": hidden, "n_test": len(numbers), "n_wrong": n_wrong, "positions_after": after_n,
              "token_tf": right_tf / tokens, "token_free": right_free / tokens,
              "tf_after_first_error": after_tf / after_n if after_n else None,
              "free_after_first_error": after_free / after_n if after_n else None,
              "wrong_length_share": wrong_length / n_wrong if n_wrong else None,
              "diverged_before_first_error": diverged, "positions_after_same_length": same_n,
              "tf_after_first_error_same_length": same_tf / same_n if same_n else None,
              "free_after_first_error_same_length": same_free / same_n if same_n else None,
              "tf_after": proportion(after_tf, after_n), "free_after": proportion(after_free, after_n),
              "gap_after": bootstrap_interval(gaps, seed=seed), "n_numbers_after": len(gaps),
              "gap_after_same_length": bootstrap_interval(gaps_same, seed=seed),
              "n_numbers_after_same_length": len(gaps_same), "bridge": bridge}
    return {"experiment": "exposure", "seed": seed, "quotes": quotes}
