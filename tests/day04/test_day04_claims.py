"""Every qualitative claim the Day 4 page makes, checked against the results file the page quotes
(built by `make site`): if a rebuild changes what the data says, the page's words fail here."""
import pytest

from tests.lessons import results

SIZES = (16, 32, 64, 128)


@pytest.fixture(scope="module")
def r():
    return results("day04")


# --- 1. the task ------------------------------------------------------------------------------

def test_task_facts(r):
    t = r["task"]
    assert t["longest_source"] == 19 and t["n_source_words"] == 32 and t["max_digits"] == 12
    assert t["mean_words_d3"] < t["mean_words_d6"] < t["mean_words_d12"]  # "the source grows with it"
    assert abs(t["share_test"] - 0.1) < 0.01 and abs(t["share_val"] - 0.1) < 0.01


# --- 2.3 exposure bias --------------------------------------------------------------------------

def test_teacher_forcing_flatters_free_running(r):
    e = r["exposure"]
    assert e["diverged_before_first_error"] == 0  # "both decoders agree up to the first wrong digit"
    assert e["tf_after_first_error"] > e["free_after_first_error"] + 0.2
    assert e["token_tf"] > e["token_free"]  # "the gap is the same in miniature"
    assert 0.1 < e["wrong_length_share"] < 0.9  # "part of the drop is bookkeeping", not all of it
    # "... but it stays wide on outputs of the right length too" (takeaways; section 2.3)
    assert e["tf_after_first_error_same_length"] > e["free_after_first_error_same_length"] + 0.2


# --- 3.3 beam against greedy ------------------------------------------------------------------

def test_beam_helps_and_most_help_comes_from_width_two(r):
    d = r["decoding"]
    assert d["exact_beam1"] < d["exact_beam2"] <= d["exact_beam8"] + 1e-12
    assert d["exact_beam2"] - d["exact_beam1"] > (d["exact_beam8"] - d["exact_beam1"]) / 2  # "most of the help"
    assert 5 < d["cost_ratio_widest"] <= 8  # up to k decoder steps where greedy spends one


def test_remaining_errors_are_model_errors(r):
    d = r["decoding"]
    assert d["search_errors_beam1"] < d["model_errors_beam1"]
    assert d["search_errors_beam8"] < 0.05 * d["search_errors_beam1"]  # "leaves N of them"
    assert d["model_errors_beam8"] > d["model_errors_beam1"]  # "model errors even rise"
    converted = d["search_errors_beam1"] - d["fixed_beam8"] - d["search_errors_beam8"]
    assert converted > d["search_errors_beam8"]  # "for most of the others it finds a wrong output"
    assert d["fixed_beam8"] > 0
    assert d["broken_beam8"] <= 0.02 * d["n_test"]


# --- 4.1 the bottleneck ---------------------------------------------------------------------------

def test_every_size_falls_with_length_and_larger_falls_later(r):
    b = r["bottleneck"]
    for H in SIZES:
        assert b[f"exact_h{H}_d12"] < b[f"exact_h{H}_d3"] - 0.4, H
        assert b[f"digit_tf_h{H}_d12"] < b[f"digit_tf_h{H}_d3"] - 0.05, H  # per digit too: not only compounding
    reach = [b[f"reliable50_h{H}"] for H in SIZES]
    assert all(x is not None for x in reach) and reach == sorted(reach) and len(set(reach)) == len(reach)
    assert b["exact_h128_d12"] < 0.5  # "none makes the fall go away"
    for d in (6, 9, 12):
        assert [b[f"exact_h{H}_d{d}"] for H in SIZES] == sorted(b[f"exact_h{H}_d{d}"] for H in SIZES), d


def test_storage_is_not_the_limit_and_models_were_still_learning(r):
    b = r["bottleneck"]
    assert b["storage_bits_h16"] > 10 * r["task"]["bits_d12"]
    assert b["all_best_at_end"] is True  # "each was still improving on validation when it stopped"


# --- 4.2 reversal -----------------------------------------------------------------------------------

def test_reversal_helps_on_every_seed_and_every_position(r):
    v = r["reversal"]
    assert v["reversed_wins_every_seed"] is True
    assert v["reversed_mean_exact"] > v["in_order_mean_exact"] + 0.05
    assert v["reversed_final_val_loss"] < v["in_order_final_val_loss"]
    assert v["positions_better_every_seed"] >= v["position_digits"] - 3  # "ahead on both seeds at N of 12"
    assert v["min_position_gain"] > 0 and v["max_position_gain"] > 0.1
    assert v["gain_last3_tf"] > v["gain_first3_tf"]  # not concentrated on the first digits
    assert v["max_gain_position"] > 3
    assert v["reversed_exact_d12"] < 0.5  # "it does not enlarge the vector"


# --- 4.3 the control: distance held fixed ---------------------------------------------------------

def test_first_digits_fall_with_length_even_at_fixed_distance(r):
    v = r["reversal"]
    assert v["reversed_first3_tf_d12"] < v["reversed_first3_tf_d3"] - 0.05  # "they do get harder"
    # "in the normal order ... they fall further"
    assert (v["in_order_first3_tf_d3"] - v["in_order_first3_tf_d12"]) > (v["reversed_first3_tf_d3"] - v["reversed_first3_tf_d12"])
