"""Day 4 experiments on tiny budgets: plain JSON, deterministic, the quotes the page uses, and the
models shared between experiments in one process."""
import json

import pytest

from lesson_code.day04.experiments import EXPERIMENTS, _models, bottleneck, decoding, exposure, reversal, task
from lesson_code.day04.experiments.__main__ import main as experiments_main
from lesson_code.lessonkit.experiments import check_json

TINY = dict(steps=20, per_digit=4)


@pytest.fixture(scope="module")
def results():
    return {"bottleneck": bottleneck.run(seed=0, hidden_sizes=(8, 12), **TINY),
            "decoding": decoding.run(seed=0, hidden=8, beams=(1, 3), **TINY),
            "exposure": exposure.run(seed=0, hidden=8, **TINY),
            "reversal": reversal.run(seed=0, hidden=8, n_seeds=2, **TINY)}


def test_results_are_plain_json(results):
    for name, r in results.items():
        check_json(r)
        assert r["experiment"] == name and json.loads(json.dumps(r)) == r


def test_models_are_trained_once_per_process(results):
    a, _ = _models.trained(8, False, 0, 20)
    b, _ = _models.trained(8, False, 0, 20)
    assert a is b  # bottleneck, decoding and exposure shared this model


def test_same_seed_same_numbers():
    _models.trained.cache_clear()
    first = bottleneck.run(seed=0, hidden_sizes=(8,), **TINY)
    _models.trained.cache_clear()
    assert bottleneck.run(seed=0, hidden_sizes=(8,), **TINY) == first


def test_test_set_is_held_out_and_covers_3_to_12_digits():
    from lesson_code.day04.numbers import split_of

    numbers = _models.test_numbers(0, 4)
    assert {len(str(n)) for n in numbers} == set(range(3, 13))
    assert all(split_of(n) == "test" for n in numbers) and len(set(numbers)) == len(numbers)


def test_bottleneck_quotes(results):
    q = results["bottleneck"]["quotes"]
    for H in (8, 12):
        for d in range(3, 13):
            assert 0 <= q[f"exact_h{H}_d{d}"] <= q[f"digit_tf_h{H}_d{d}"] + 1e-12 or q[f"exact_h{H}_d{d}"] == 0
        assert q[f"context_h{H}"] == 2 * H
    assert bottleneck.longest_reliable([{"digits": 3, "x": 1.0}, {"digits": 4, "x": 0.4}, {"digits": 5, "x": 0.9}],
                                       "x", 0.5) == 3


def test_decoding_counts_add_up(results):
    q = results["decoding"]["quotes"]
    for k in (1, 3):
        assert q[f"search_errors_beam{k}"] + q[f"model_errors_beam{k}"] == q[f"wrong_beam{k}"]
        assert q[f"wrong_beam{k}"] == round((1 - q[f"exact_beam{k}"]) * q["n_test"])
    assert q["changed_beam1"] == 0.0
    assert q["cells_beam3"] <= 3 * q["cells_beam1"] + 1e-9


def test_exposure_shares_are_probabilities(results):
    q = results["exposure"]["quotes"]
    assert 0 <= q["n_wrong"] <= q["n_test"]
    for key in ("token_tf", "token_free", "tf_after_first_error", "free_after_first_error", "wrong_length_share"):
        assert q[key] is None or 0.0 <= q[key] <= 1.0


def test_reversal_compares_the_same_seeds(results):
    r = results["reversal"]
    assert r["seeds"] == [0, 1]
    assert [x["seed"] for x in r["runs"]["in_order"]] == [x["seed"] for x in r["runs"]["reversed"]] == [0, 1]
    assert len(r["summary"]["reversed"]["position_tf_mean"]) == r["quotes"]["position_digits"] + 1  # + <eos>


def test_task_facts():
    q = task.run(seed=0, per_digit=50, split_sample=2000)["quotes"]
    assert q["longest_source"] == 19 and q["n_source_words"] == 32 and q["max_number"] == 999_999_999_999
    assert abs(q["share_test"] - 0.1) < 0.03 and abs(q["share_train"] - 0.8) < 0.04


def test_registry_and_runner(tmp_path, monkeypatch):
    assert set(EXPERIMENTS) == {"task", "bottleneck", "decoding", "exposure", "reversal"}
    monkeypatch.setitem(EXPERIMENTS, "task", lambda seed: task.run(seed=seed, per_digit=5, split_sample=100))
    out = tmp_path / "sub" / "t.json"
    assert experiments_main(["task", "--seed", "1", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["seed"] == 1
    assert [p.name for p in out.parent.iterdir()] == ["t.json"]
