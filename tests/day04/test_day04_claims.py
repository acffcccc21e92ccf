"""Every claim the Day 4 page makes, checked against the results file the page quotes (built by
`make site`): if a rebuild changes what the data says, the page's words fail here. Comparisons are
tested on their intervals ("A beats B" = the interval of the difference excludes 0), not on point
estimates; "not distinguishable" = the interval includes 0."""
import json

import pytest

from lesson_code.lessonkit.statistics import excludes_zero
from tests.lessons import ARTIFACTS, results

BRIDGES = (8, 16, 32, 128)


@pytest.fixture(scope="module")
def r():
    return results("day04")


@pytest.fixture(scope="module")
def data():
    return json.loads((ARTIFACTS / "day04" / "seq2seq" / "seq2seq.json").read_text())


# --- 1. the task ------------------------------------------------------------------------------

def test_task_facts(r):
    t = r["task"]
    assert t["longest_source"] == 19 and t["n_source_words"] == 32 and t["max_digits"] == 12
    assert t["mean_words_d3"] < t["mean_words_d6"] < t["mean_words_d12"]  # "the source grows with it"
    assert abs(t["share_test"] - 0.1) < 0.01 and abs(t["share_val"] - 0.1) < 0.01


# --- 2.3 compounding after the first mistake ------------------------------------------------------

def test_one_mistake_costs_the_positions_after_it(r):
    e = r["exposure"]
    assert e["diverged_before_first_error"] == 0  # "both decoders agree up to the first wrong digit"
    assert e["tf_after"]["lo"] > e["free_after"]["hi"]  # the two intervals do not touch
    assert e["gap_after"]["lo"] > 0.3  # "the gap ... is N points (interval ...)": wide and carried
    assert e["token_tf"] > e["token_free"]
    assert 0.1 < e["wrong_length_share"] < 0.9  # "part of it is bookkeeping", not all of it
    # "... and the gap stays wide on outputs of the right length" (section 2.3, takeaways)
    assert e["gap_after_same_length"]["lo"] > 0.3


# --- 3.3 beam against greedy ------------------------------------------------------------------

def test_beam_helps_and_most_help_comes_from_width_two(r):
    d = r["decoding"]
    for k in (2, 4, 8):
        assert excludes_zero(d[f"vs_greedy_beam{k}"]) and d[f"vs_greedy_beam{k}"]["diff"] > 0, k  # beam beats greedy
    assert d["vs_greedy_beam2"]["diff"] > d["vs_greedy_beam8"]["diff"] / 2  # "most of the help"
    assert excludes_zero(d["widest_vs_beam2"]) and d["widest_vs_beam2"]["diff"] > 0  # beam 8 over 2, carried
    assert d["vs_greedy_beam2"]["p"] < 0.05
    assert 5 < d["cost_ratio_widest"] <= 8  # up to k decoder steps where greedy spends one


def test_remaining_errors_are_model_errors(r):
    d = r["decoding"]
    assert d["search_errors_greedy"] < d["model_errors_greedy"]
    assert d["search_errors_beam8"] < 0.1 * d["search_errors_greedy"]  # "N search errors in all"
    assert d["model_errors_beam8"] > d["model_errors_greedy"]  # "more model errors come to light"


def test_short_outputs_and_length_normalisation(r):
    d = r["decoding"]
    assert d["too_short_beam8"] > d["too_short_greedy"]  # "against N of greedy's": beam is shorter
    assert d["too_short_share_widest"] > 0.25  # "many of them too short"
    assert d["too_short_beam4_norm"] < d["too_short_beam4"]  # "it cuts the too-short outputs"
    # "... but most become wrong outputs of the right length": fewer fixed than the short ones removed
    removed = d["too_short_beam4"] - d["too_short_beam4_norm"]
    assert d["norm_vs_plain"]["only_a"] - d["norm_vs_plain"]["only_b"] < removed / 2
    assert not excludes_zero(d["norm_vs_plain"]) and d["norm_vs_plain"]["p"] > 0.05  # "do not distinguish"
    # "all but at most N of its too-short outputs are at least as probable as the right number"
    assert d["search_errors_beam4"] < 0.1 * d["too_short_beam4"]
    assert len(d["examples"]) >= 3
    # "in most of them the digit lost is a zero": most examples lose a 0 the number has
    dropped_zero = [ex for ex in d["examples"] if "0" in str(ex["number"]) and ex["beam4"].count("0") < str(ex["number"]).count("0")]
    assert len(dropped_zero) > len(d["examples"]) / 2
    for ex in d["examples"]:  # the table shows too-short outputs of the plain beam
        assert len(ex["beam4"].rstrip("…")) < len(str(ex["number"])) or ex["beam4"] == "—"


def test_exercise_2_weak_model(r):
    x = r["beam_exhaustive"]
    assert x["missed_beam1"] > 0  # something to find
    assert x["missed_beam1"] >= x["missed_beam2"] >= x["missed_beam4"] >= x["missed_beam8"]  # "here it did"
    assert x["argmax_right_k"] < x["n_numbers"]  # "only N of them": model errors exist
    assert x["n_outputs"] == 11_111


# --- 4.1 the bottleneck ---------------------------------------------------------------------------

def test_every_context_falls_with_length_smaller_sooner(r):
    b = r["bottleneck"]
    for k in BRIDGES:
        assert b[f"exact_k{k}_d12"]["hi"] < b[f"exact_k{k}_d3"]["lo"], k  # "every context size fails"
        assert b[f"digit_tf_k{k}_d12"]["hi"] < b[f"digit_tf_k{k}_d3"]["lo"], k  # per digit too
    assert b["exact_k128_d12"]["p"] < 0.5 and b["exact_k8_d3"]["p"] < b["exact_k128_d3"]["p"]
    reach = [b[f"reliable50_k{k}"] for k in BRIDGES]
    assert all(x is not None for x in reach) and reach == sorted(reach)


def test_each_step_down_in_context_costs_accuracy_at_the_full_budget(r):
    b = r["bottleneck"]
    for small, large in zip(BRIDGES, BRIDGES[1:]):
        g = b[f"gain_k{large}_over_k{small}"]
        assert excludes_zero(g) and g["diff"] > 0 and g["p"] < 0.05, (small, large)  # "carry every step"
    assert b["n_paired"] == 2 * b["n_test"]


def test_budget_statements(r):
    b = r["bottleneck"]
    assert b["all_best_at_end"] is True  # "every model was still improving when it stopped"
    for k in BRIDGES:
        g = b[f"gain_full_over_half_k{k}"]
        assert excludes_zero(g) and g["diff"] > 0, k  # "every k was worse halfway"
    # "the order was already the same, each step down carried by its paired interval" at half budget
    for small, large in zip(BRIDGES, BRIDGES[1:]):
        g = b[f"gain_half_k{large}_over_k{small}"]
        assert excludes_zero(g) and g["diff"] > 0, (small, large)
    # "the second half of training helped the whole state most"
    assert max(BRIDGES, key=lambda k: b[f"gain_full_over_half_k{k}"]["diff"]) == 128


def test_only_the_bridge_differs_and_storage_is_not_the_limit(r):
    b = r["bottleneck"]
    for k in BRIDGES:
        assert b[f"params_k{k}"] - b["params_encoder_decoder"] == 2 * 128 * k + k + 128
    assert b["storage_bits_k8"] > 5 * r["task"]["bits_d12"]


# --- 4.2 reversal -----------------------------------------------------------------------------------

def test_reversal_gain_wins_every_seed_but_seeds_do_not_pin_its_size(r):
    v = r["reversal"]
    assert v["n_seeds"] >= 3 and v["reversed_wins_every_seed"] is True  # "ahead on every seed"
    items = v["gain_mean_exact_items"]
    assert excludes_zero(items) and items["diff"] > 0 and items["p"] < 1e-3  # "far beyond chance" item by item
    assert not excludes_zero(v["gain_mean_exact"])  # "three seeds do not pin down ... or rule out small"
    assert v["gain_mean_exact"]["hi"] > 2 * v["gain_mean_exact"]["mean"]
    assert v["reversed_final_val_loss"]["mean"] < v["in_order_final_val_loss"]["mean"]
    assert not excludes_zero(v["gain_val_loss"])  # "tells the same story"
    assert v["reversed_exact_d12"]["mean"] < 0.05  # "does not enlarge the vector"


def test_reversal_helps_the_first_digits(r, data):
    v = r["reversal"]
    assert excludes_zero(v["gain_first3_tf"]) and v["gain_first3_tf"]["mean"] > 0  # first three: carried
    assert not excludes_zero(v["gain_last3_tf"])  # "no difference the seeds can tell"
    assert v["max_gain_position"] == 1
    last = v["last_position_gain"]
    assert last["mean"] < 0 and not excludes_zero(last)  # "a loss ... too wide to call"
    carried = v["positions_gain_carried"]
    assert carried and max(carried) <= 8  # "all in the first two thirds of the number"
    gains = [g["mean"] for g in data["reversal"]["summary"]["position_gain"]]
    top2 = sorted(range(1, len(gains) + 1), key=lambda t: -gains[t - 1])[:2]
    assert sorted(top2) == [1, 4]  # "the two largest gains sit on ... positions 1 and 4"


# --- 4.3 the control: distance held fixed ---------------------------------------------------------

def test_first_digits_fall_with_length_even_at_fixed_distance(r):
    v = r["reversal"]
    assert v["control_digits"] == [3, 6, 9, 12]  # lengths whose first three digits are the leading group
    drop = v["reversed_first3_drop"]
    assert excludes_zero(drop) and drop["mean"] > 0.05 and v["reversed_first3_falls_every_seed"]
    assert excludes_zero(v["in_order_first3_drop"]) and v["in_order_first3_falls_every_seed"]
    extra = v["extra_drop_in_order"]
    assert excludes_zero(extra) and extra["mean"] > 0  # "more by N (interval)": in order falls further
