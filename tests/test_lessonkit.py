"""lessonkit, the layer every lesson shares: each piece checked on its own, with no lesson involved."""
import json
import math
import os
import sys

import pytest
import torch
import torch.nn as nn

from lesson_code.lessonkit import checkpoints, cli, decoding, downloads, files, training
from lesson_code.lessonkit.experiments import check_json, lazy_registry
from lesson_code.lessonkit.vocab import BOS, EOS, PAD, Vocab


# --- files ---------------------------------------------------------------------------------------

def test_atomic_write_leaves_the_old_file_on_error(tmp_path):
    target = tmp_path / "a.bin"
    target.write_bytes(b"old")

    def explode(f):
        f.write(b"half")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        files.atomic_write(target, explode)
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["a.bin"]


def test_write_json_is_deterministic_and_refuses_nan(tmp_path):
    files.write_json(tmp_path / "x.json", {"b": 1, "a": [1.5, None]})
    assert (tmp_path / "x.json").read_text() == files.json_text({"a": [1.5, None], "b": 1})
    with pytest.raises(ValueError):
        files.write_json(tmp_path / "y.json", {"a": math.nan})
    assert not (tmp_path / "y.json").exists()


def test_hashes_agree(tmp_path):
    (tmp_path / "f").write_bytes(b"abc" * 1000)
    assert files.sha256_file(tmp_path / "f") == files.sha256_bytes(b"abc" * 1000)


# --- vocab ---------------------------------------------------------------------------------------

def test_vocab_of_words_with_specials():
    v = Vocab.with_specials(["one", "two", EOS])  # a special given again is not duplicated
    assert v.tokens == [PAD, BOS, EOS, "one", "two"] and v.id(PAD) == 0
    ids = v.encode(["two", "one"])
    assert ids.tolist() == [4, 3] and v.decode(ids, sep=" ") == "two one"
    with pytest.raises(ValueError, match="token 'three'.*not in the vocabulary"):
        v.encode(["one", "three"])


def test_vocab_of_characters():
    v = Vocab.from_text("hello")
    assert v.chars == ["e", "h", "l", "o"] and v.decode(v.encode("hello")) == "hello"
    with pytest.raises(ValueError, match="character 'z' \\(U\\+007A\\) not in the vocabulary"):
        v.encode("hz")


# --- training ------------------------------------------------------------------------------------

def _regression(steps=None, minutes=None, interrupt_at=None, n_batches=None):
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    w_true = torch.tensor([[1.0, -2.0, 0.5]])
    gen = torch.Generator().manual_seed(0)

    def batches():
        i = 0
        while n_batches is None or i < n_batches:
            x = torch.randn(16, 3, generator=gen)
            yield x, x @ w_true.T
            i += 1

    def step(opt, batch):
        if interrupt_at is not None and len(seen) == interrupt_at:
            raise KeyboardInterrupt
        seen.append(opt.param_groups[0]["lr"])
        x, y = batch
        loss = ((model(x) - y) ** 2).mean()
        training.update(model, opt, loss, clip=1.0)
        return loss.item(), len(x)

    xv = torch.randn(64, 3, generator=torch.Generator().manual_seed(1))
    seen: list[float] = []
    cfg = training.FitConfig(lr=0.05, steps=steps, minutes=minutes, eval_every=10)
    hist = training.fit(model, batches(), step, lambda: ((model(xv) - xv @ w_true.T) ** 2).mean(), cfg, progress=False)
    return model, hist, seen


def test_fit_learns_and_keeps_the_best_weights():
    model, hist, lrs = _regression(steps=60)
    assert hist["stopped"] == "steps" and hist["step"][-1] == 60 and hist["items_seen"] == 60 * 16
    assert hist["val_loss"][-1] < 0.1 * hist["val_loss"][0]
    assert hist["best_val_loss"] == min(hist["val_loss"])
    assert lrs[0] == pytest.approx(0.05) and lrs[-1] < 0.1 * 0.05 + 1e-3  # cosine decay to lr * 0.1


def test_fit_stops_cleanly_on_ctrl_c_and_on_exhausted_data():
    _, hist, _ = _regression(steps=100, interrupt_at=25)
    assert hist["stopped"] == "interrupted" and hist["val_step"][-1] == 25
    _, hist, _ = _regression(steps=100, n_batches=7)
    assert hist["stopped"] == "data" and hist["val_step"] == [7]


def test_budget_errors_name_the_field():
    with pytest.raises(ValueError, match="set steps or minutes"):
        training.FitConfig()
    with pytest.raises(ValueError, match="lr_schedule"):
        training.FitConfig(steps=1, lr_schedule="linear")
    assert training.lr_at(training.FitConfig(steps=1, lr=1.0), 0.5) == pytest.approx(0.55)


# --- checkpoints ---------------------------------------------------------------------------------

def test_checkpoint_frame_round_trip_and_errors(tmp_path):
    path = checkpoints.save_payload(tmp_path / "c.pt", "demo", 2, {"w": torch.ones(2)})
    assert torch.equal(checkpoints.load_payload(path, "demo", 2, "demo", "make it")["w"], torch.ones(2))
    with pytest.raises(checkpoints.CheckpointError, match="not a other checkpoint"):
        checkpoints.load_payload(path, "other", 2, "other", "x")
    with pytest.raises(checkpoints.CheckpointError, match="version 2; this code reads version 3"):
        checkpoints.load_payload(path, "demo", 3, "demo", "x")
    with pytest.raises(checkpoints.CheckpointError, match="create one with: make it"):
        checkpoints.load_payload(tmp_path / "none.pt", "demo", 2, "demo", "make it")
    with pytest.raises(checkpoints.CheckpointError, match="does not exist"):
        checkpoints.save_payload(tmp_path / "no" / "c.pt", "demo", 2, {})


# --- downloads -----------------------------------------------------------------------------------

def test_verified_download_caches_and_rejects_tampering(tmp_path):
    good = b"the real thing"
    digest = files.sha256_bytes(good)
    calls = []

    def fake(payload):
        def download(dest, timeout):
            calls.append(1)
            (dest / "x.tar.gz").write_bytes(payload)
            return dest / "x.tar.gz"
        return download

    path = downloads.fetch_verified_sdist("x==1", "x.tar.gz", digest, tmp_path, "hint", download=fake(good))
    assert path.read_bytes() == good
    downloads.fetch_verified_sdist("x==1", "x.tar.gz", digest, tmp_path, "hint", download=fake(good))
    assert len(calls) == 1  # the verified cache is used
    (tmp_path / "x.tar.gz").unlink()
    with pytest.raises(downloads.DownloadError, match=r"tampered or changed upstream\); hint"):
        downloads.fetch_verified_sdist("x==1", "x.tar.gz", digest, tmp_path, "hint", download=fake(b"evil"))
    assert not (tmp_path / "x.tar.gz").exists()


# --- decoding ------------------------------------------------------------------------------------

def test_distribution_and_eval_context():
    p = decoding.next_token_distribution(torch.tensor([2.0, 1.0, 0.0, -1.0]), temperature=0.5, top_k=2)
    assert p[2:].sum() == 0 and p[0] > p[1] and float(p.sum()) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="temperature"):
        decoding.check_temperature(0)
    model = nn.Dropout(0.5).train()
    with decoding.evaluating(model):
        assert not model.training and not torch.is_grad_enabled()
    assert model.training


# --- cli -----------------------------------------------------------------------------------------

def test_run_main_turns_failures_into_one_line(capsys):
    p = cli.Parser(prog="demo")
    p.add_argument("--n", type=cli.positive_int, default=1)
    p.set_defaults(func=lambda args: (_ for _ in ()).throw(ValueError("bad\nthing")))
    assert cli.run_main(p, ["--n", "2"]) == 1
    assert capsys.readouterr().err == "error: bad thing\n"
    with pytest.raises(SystemExit) as e:
        cli.run_main(p, ["--n", "0"])
    assert e.value.code == 2 and capsys.readouterr().err.startswith("error: argument --n: expected an integer >= 1")


# --- experiments ---------------------------------------------------------------------------------

def test_lazy_registry_imports_on_first_call_only():
    sys.modules.pop("lesson_code.day04.experiments.task", None)
    reg = lazy_registry("lesson_code.day04.experiments", ["task"])
    assert "lesson_code.day04.experiments.task" not in sys.modules
    out = reg["task"](seed=0, per_digit=3, split_sample=50)
    check_json(out)
    assert json.loads(json.dumps(out))["experiment"] == "task"


def test_lessonkit_imports_no_lesson():
    root = os.path.join(os.path.dirname(__file__), "..", "lesson_code", "lessonkit")
    for name in os.listdir(root):
        if name.endswith(".py"):
            text = open(os.path.join(root, name), encoding="utf-8").read()
            assert "lesson_code.day" not in text.replace("lesson_code.dayNN", ""), name


# --- statistics ---------------------------------------------------------------------------------

def test_wilson_interval_known_values_and_edges():
    from lesson_code.lessonkit.statistics import proportion, wilson

    lo, hi = wilson(5, 10)  # textbook value: 0.2366 to 0.7634
    assert lo == pytest.approx(0.2366, abs=1e-4) and hi == pytest.approx(0.7634, abs=1e-4)
    assert wilson(0, 10)[0] == 0.0 and wilson(0, 10)[1] == pytest.approx(0.2775, abs=1e-4)
    assert wilson(10, 10)[1] == pytest.approx(1.0) and wilson(0, 0) == (0.0, 1.0)
    # at 50 % over 100 items the interval is about +-10 points (the page's "±10 points")
    p = proportion(50, 100)
    assert p["hi"] - p["p"] == pytest.approx(0.096, abs=0.002)
    with pytest.raises(ValueError, match="0..n"):
        wilson(11, 10)


def test_mcnemar_is_the_exact_binomial_test():
    from lesson_code.lessonkit.statistics import binomial_two_sided, mcnemar

    assert mcnemar(0, 0) == 1.0 and mcnemar(3, 3) == 1.0
    assert mcnemar(8, 0) == pytest.approx(2 / 2 ** 8)  # all 8 discordant items one way
    assert mcnemar(10, 2) == pytest.approx(0.0386, abs=1e-4) == binomial_two_sided(2, 12)
    assert mcnemar(10, 2) == mcnemar(2, 10)


def test_paired_difference_interval_excludes_zero_only_when_it_should():
    from lesson_code.lessonkit.statistics import excludes_zero, paired

    a = [True] * 60 + [False] * 40
    b = [True] * 40 + [False] * 60  # A right on 20 more items, never worse
    r = paired(a, b)
    assert r["only_a"] == 20 and r["only_b"] == 0 and r["diff"] == pytest.approx(0.2)
    assert excludes_zero(r) and r["p"] < 1e-5 and r["lo"] < 0.2 <= r["hi"]
    same = paired(a, a)
    assert same["diff"] == 0 and not excludes_zero(same) and same["p"] == 1.0
    with pytest.raises(ValueError, match="same items"):
        paired(a, b[:-1])


def test_paired_interval_and_mcnemar_never_disagree():
    """The interval excludes 0 exactly when the exact test rejects at 5 %, for every small table."""
    from lesson_code.lessonkit.statistics import clopper_pearson, excludes_zero, paired

    assert clopper_pearson(5, 10) == pytest.approx((0.1871, 0.8129), abs=1e-4)  # textbook values
    assert clopper_pearson(3, 20) == pytest.approx((0.0321, 0.3789), abs=1e-4)
    for only_a in range(0, 25):
        for only_b in range(0, 25):
            a = [True] * only_a + [False] * only_b + [True] * 7 + [False] * 30
            b = [False] * only_a + [True] * only_b + [True] * 7 + [False] * 30
            r = paired(a, b)
            assert excludes_zero(r) == (r["p"] < 0.05), (only_a, only_b)
            assert r["lo"] <= r["diff"] <= r["hi"]


def test_t_interval_uses_student_quantiles():
    from lesson_code.lessonkit.statistics import t_interval, t_quantile

    for df, t in ((1, 12.7062), (2, 4.3027), (4, 2.7764), (30, 2.0423)):
        assert t_quantile(0.95, df) == pytest.approx(t, abs=1e-3)
    assert t_quantile(0.90, 5) == pytest.approx(2.0150, abs=1e-3)
    ci = t_interval([1.0, 2.0, 3.0])  # mean 2, sd 1: 2 +- 4.3027 / sqrt(3)
    assert ci["mean"] == 2.0 and ci["hi"] - 2.0 == pytest.approx(4.3027 / 3 ** 0.5, abs=1e-3)
    with pytest.raises(ValueError, match="at least 2"):
        t_interval([1.0])


def test_bootstrap_is_deterministic_and_brackets_the_mean():
    from lesson_code.lessonkit.statistics import bootstrap_interval, over_seeds

    values = [0.1, 0.4, 0.35, 0.8, 0.2, 0.5, 0.6, 0.3]
    a, b = bootstrap_interval(values, seed=3, resamples=2000), bootstrap_interval(values, seed=3, resamples=2000)
    assert a == b and a["lo"] < a["value"] < a["hi"]
    assert bootstrap_interval(values, seed=4, resamples=2000) != a  # another seed, another resample
    assert over_seeds(lambda s: {"seed": s}, [2, 0]) == [{"seed": 2}, {"seed": 0}]
