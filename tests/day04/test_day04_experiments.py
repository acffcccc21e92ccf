"""Day 4 experiments on tiny budgets: plain JSON, deterministic, the quotes the page uses, and the
models shared between experiments in one process."""
import json

import pytest

from lesson_code.day04.experiments import (EXPERIMENTS, _models, beam_exhaustive, bottleneck, decoding, exposure,
                                         reversal, task)
from lesson_code.day04.experiments.__main__ import main as experiments_main
from lesson_code.lessonkit.experiments import check_json

TINY = dict(steps=20, per_digit=4)


@pytest.fixture(scope="module")
def results():
    return {"bottleneck": bottleneck.run(seed=0, hidden=8, bridges=(4, 16), **TINY),
            "decoding": decoding.run(seed=0, hidden=8, bridge=16, beams=(1, 2, 3), normalised=(3, 0.75), **TINY),
            "exposure": exposure.run(seed=0, hidden=8, bridge=16, **TINY),
            "reversal": reversal.run(seed=0, hidden=8, bridge=16, n_seeds=2, **TINY)}


def test_results_are_plain_json(results):
    for name, r in results.items():
        check_json(r)
        assert r["experiment"] == name and json.loads(json.dumps(r)) == r


def test_models_are_trained_once_per_process(results):
    a, _ = _models.trained(8, False, 0, 20, 16, 4, 0)
    b, _ = _models.trained(8, False, 0, 20, 16, 4, 0)
    assert a is b  # bottleneck, decoding, exposure and reversal shared this model
    assert a.config.bridge == 16


def test_same_seed_same_numbers():
    _models.trained.cache_clear()
    first = bottleneck.run(seed=0, hidden=8, bridges=(4,), **TINY)
    _models.trained.cache_clear()
    assert bottleneck.run(seed=0, hidden=8, bridges=(4,), **TINY) == first


def test_test_set_is_held_out_and_covers_3_to_12_digits():
    from lesson_code.day04.numbers import split_of

    numbers = _models.test_numbers(0, 4)
    assert {len(str(n)) for n in numbers} == set(range(3, 13))
    assert all(split_of(n) == "test" for n in numbers) and len(set(numbers)) == len(numbers)


def test_bottleneck_quotes(results):
    q = results["bottleneck"]["quotes"]
    assert q["n_seeds"] == 2 and q["state_numbers"] == 16
    for k in (4, 16):
        for d in range(3, 13):
            e = q[f"exact_k{k}_d{d}"]
            assert e["lo"] <= e["p"] <= e["hi"] and e["n"] == 2 * 4  # two seeds x 4 numbers of each length
            h = q[f"exact_half_k{k}_d{d}"]
            assert h["n"] == e["n"]
        assert q[f"storage_bits_k{k}"] == 32 * k
    # the bridge is the only difference: parameters differ by exactly the bridge's weights
    assert q["params_k16"] - q["params_k4"] == bottleneck._bridge_params(16, 16) - bottleneck._bridge_params(16, 4)
    g = q["gain_k16_over_k4"]
    assert g["only_a"] + g["only_b"] <= g["n"] and 0 <= g["p"] <= 1 and len(g["per_seed_diff"]) == 2
    assert bottleneck.longest_reliable([{"digits": 3, "x": 1.0}, {"digits": 4, "x": 0.4}, {"digits": 5, "x": 0.9}],
                                       0.5, "x") == 3


def test_decoding_counts_add_up(results):
    q = results["decoding"]["quotes"]
    for name in ("greedy", "beam2", "beam3", "beam3_norm"):
        assert q[f"search_errors_{name}"] + q[f"model_errors_{name}"] == q[f"wrong_{name}"]
        assert q[f"too_short_{name}"] + q[f"too_long_{name}"] + q[f"right_length_wrong_{name}"] == q[f"wrong_{name}"]
        assert q[f"wrong_{name}"] == q["n_test"] - q[f"exact_{name}"]["k"]
    assert q["cells_beam3"] <= 3 * q["cells_greedy"] + 1e-9
    v = q["vs_greedy_beam3"]
    assert v["n"] == q["n_test"] and v["diff"] == pytest.approx(q["exact_beam3"]["p"] - q["exact_greedy"]["p"])
    for ex in q["examples"]:
        assert set(ex) == {"number", "greedy", "beam3", "beam3_norm"}


def test_exposure_shares_are_probabilities(results):
    q = results["exposure"]["quotes"]
    assert 0 <= q["n_wrong"] <= q["n_test"]
    for key in ("token_tf", "token_free", "tf_after_first_error", "free_after_first_error", "wrong_length_share"):
        assert q[key] is None or 0.0 <= q[key] <= 1.0
    assert q["tf_after"]["n"] == q["positions_after"]


def test_reversal_compares_the_same_seeds(results):
    r = results["reversal"]
    assert r["seeds"] == [0, 1]
    assert [x["seed"] for x in r["runs"]["in_order"]] == [x["seed"] for x in r["runs"]["reversed"]] == [0, 1]
    assert len(r["summary"]["reversed"]["position_tf_mean"]) == r["quotes"]["position_digits"]
    q = r["quotes"]
    assert q["control_digits"] == [3, 6, 9, 12] and q["gain_mean_exact"]["n"] == 2
    assert q["gain_mean_exact"]["lo"] <= q["gain_mean_exact"]["mean"] <= q["gain_mean_exact"]["hi"]


def test_task_facts():
    q = task.run(seed=0, per_digit=50, split_sample=2000)["quotes"]
    assert q["longest_source"] == 19 and q["n_source_words"] == 32 and q["max_number"] == 999_999_999_999
    assert abs(q["share_test"] - 0.1) < 0.03 and abs(q["share_train"] - 0.8) < 0.04


def test_registry_and_runner(tmp_path, monkeypatch):
    assert set(EXPERIMENTS) == {"task", "bottleneck", "decoding", "exposure", "reversal", "beam_exhaustive"}
    monkeypatch.setitem(EXPERIMENTS, "task", lambda seed: task.run(seed=seed, per_digit=5, split_sample=100))
    out = tmp_path / "sub" / "t.json"
    assert experiments_main(["task", "--seed", "1", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["seed"] == 1
    assert [p.name for p in out.parent.iterdir()] == ["t.json"]


def test_beam_against_exhaustive_on_the_weak_model():
    q = beam_exhaustive.run(seed=0, steps=5, beams=(1, 2), limit=6)["quotes"]
    assert q["n_numbers"] == 6 and q["n_outputs"] == 11_111
    for k in (1, 2):
        assert q[f"agree_beam{k}"] + q[f"missed_beam{k}"] == 6 and 0 <= q[f"right_beam{k}"] <= 6
    assert 0 <= q["argmax_right_k"] <= 6
