"""Every claim the Day 4 page makes, checked against the results file the page quotes (built by
`make site`): if a rebuild changes what the data says, the page's words fail here. Comparisons are
tested on their intervals ("A beats B" = the interval of the difference excludes 0), not on point
estimates; "not distinguishable" = the interval includes 0."""
import json

import pytest

from lesson_code.day04.numbers import split_of
from lesson_code.lessonkit.statistics import excludes_zero, t_interval
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
    assert split_of(154) == "test"  # "a 3-digit test number such as 154"
    assert t["mean_words_d12"] - 4 >= 12  # "a dozen or more words before" a leading group of <= 4 words


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
    # "the table starts with every number the normalised beam gets right and the plain one does not"
    fixed = [str(ex["number"]) == ex["beam4_norm"] for ex in d["examples"]]
    n_fixed = d["norm_vs_plain"]["only_a"]
    assert sum(fixed) == n_fixed and fixed[:n_fixed] == [True] * n_fixed
    # "in most rows the plain beam's output is the number with one zero left out"
    def one_zero_left_out(number: str, out: str) -> bool:
        return any(number[i] == "0" and number[:i] + number[i + 1:] == out for i in range(len(number)))
    assert sum(one_zero_left_out(str(ex["number"]), ex["beam4"]) for ex in d["examples"]) > len(d["examples"]) / 2
    for ex in d["examples"]:  # the table shows too-short outputs of the plain beam
        assert len(ex["beam4"].rstrip("…")) < len(str(ex["number"])) or ex["beam4"] == "—"


def test_exercise_2_weak_model(r):
    x = r["beam_exhaustive"]
    assert x["missed_beam1"] > 0  # something to find
    assert x["missed_beam1"] >= x["missed_beam2"] >= x["missed_beam4"] >= x["missed_beam8"]  # "here it did"
    assert x["argmax_right_k"] < x["n_numbers"]  # "only N of them": model errors exist
    assert x["n_outputs"] == 11_111


# --- 4.1 the bottleneck ---------------------------------------------------------------------------

def test_every_context_falls_with_length_smaller_lower(r):
    b = r["bottleneck"]
    for k in BRIDGES:
        assert b[f"exact_k{k}_d12"]["hi"] < b[f"exact_k{k}_d3"]["lo"], k  # "every context size fails"
        assert b[f"digit_tf_k{k}_d12"]["hi"] < b[f"digit_tf_k{k}_d3"]["lo"], k  # per digit too
    for d in range(3, 9):  # "at every length from 3 to 8 digits each larger k is ahead of each smaller one"
        scores = [b[f"exact_k{k}_d{d}"]["p"] for k in BRIDGES]
        assert all(x < y for x, y in zip(scores, scores[1:])), d
    reach = [b[f"reliable50_k{k}"] for k in BRIDGES]
    assert reach[0] == reach[1] == reach[2] < reach[3]  # "three of the four models tie on it"


def test_seeds_limit_what_the_bottleneck_comparisons_say(r):
    """"the per-seed differences agree in sign at every step, but a t interval across two seeds is far
    too wide to exclude zero"; "the seed-to-seed spread ... is larger in places" than the Wilson band."""
    b = r["bottleneck"]
    for small, large in zip(BRIDGES, BRIDGES[1:]):
        per_seed = b[f"gain_k{large}_over_k{small}"]["per_seed_diff"]
        assert len(per_seed) == 2 and all(x > 0 for x in per_seed)
        assert not excludes_zero(t_interval(per_seed))
    wider = [(k, d) for k in BRIDGES for d in range(3, 13)
             if abs(b[f"exact_k{k}_d{d}"]["per_seed"][0] - b[f"exact_k{k}_d{d}"]["per_seed"][1])
             > b[f"exact_k{k}_d{d}"]["hi"] - b[f"exact_k{k}_d{d}"]["lo"]]
    assert wider


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
    assert carried and 1 in carried
    gains = [g["mean"] for g in data["reversal"]["summary"]["position_gain"]]
    top2 = sorted(range(1, len(gains) + 1), key=lambda t: -gains[t - 1])[:2]
    assert sorted(top2) == [1, 4]  # "the largest means are at positions 1 and 4"
    in_order = data["reversal"]["summary"]["in_order"]["position_tf_mean"]
    assert min(range(len(in_order)), key=lambda t: in_order[t]) == 3  # "position 4 is where in-order is weakest"
    runs = data["reversal"]["runs"]  # "negative on every seed" at the last digit
    assert all(r_["position_tf"][11] < o["position_tf"][11] for r_, o in zip(runs["reversed"], runs["in_order"]))
    s = data["reversal"]["summary"]  # figure alt text: "nearly meet up to 5 digits, reversed above from 6 to 11"
    for d, rev, ino in zip(s["reversed"]["digits"], s["reversed"]["exact_mean"], s["in_order"]["exact_mean"]):
        if d <= 5:
            assert abs(rev - ino) < 0.05, d
        elif d <= 11:
            assert rev > ino, d


# --- 4.3 the control: distance held fixed ---------------------------------------------------------

def test_first_digits_fall_with_length_even_at_fixed_distance(r):
    v = r["reversal"]
    assert v["control_digits"] == [3, 6, 9, 12]  # lengths whose first three digits are the leading group
    drop = v["reversed_first3_drop"]
    assert excludes_zero(drop) and drop["mean"] > 0.05 and v["reversed_first3_falls_every_seed"]
    assert excludes_zero(v["in_order_first3_drop"]) and v["in_order_first3_falls_every_seed"]
    extra = v["extra_drop_in_order"]
    assert excludes_zero(extra) and extra["mean"] > 0  # "more by N (interval)": in order falls further
