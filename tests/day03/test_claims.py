"""Every qualitative claim the Day 3 page makes, checked against the results file the page quotes.

The results come from the docs build (`make site` runs the figure builders); these tests read the
same file the page reads, so prose and numbers cannot drift apart.
"""
import json
import math
from pathlib import Path

import pytest

RESULTS = Path(__file__).resolve().parents[2] / ".cache" / "artifacts" / "day03" / "results.json"


@pytest.fixture(scope="module")
def r():
    if not RESULTS.exists():
        pytest.fail(f"{RESULTS} is missing: run `make site` first (it builds the figures and results)")
    return json.loads(RESULTS.read_text())


# --- Section 2: the bound and the three regimes -------------------------------------------------

def test_default_init_has_sigma_max_above_one_yet_vanishes(r):
    g = r["regimes"]
    assert g["default_sigma_max"] > 1.0
    assert g["default_spectral_radius"] < 0.7
    assert g["default_ratio_h0_hT"] < 1e-30
    assert "default" in g["sigma_above_1_but_vanishing"]


def test_rescaled_random_matrices_vanish_even_above_one(r):
    g = r["regimes"]
    for a in ("0.9", "1", "1.1", "1.5"):
        assert g[f"rescaled_{a}_ratio_h0_hT"] < 1e-20, a
    assert g["rescaled_3_ratio_h0_hT"] < 1.0  # "not larger" even at sigma_max = 3


def test_unsaturated_orthogonal_shows_the_three_regimes(r):
    g = r["regimes"]
    assert g["orthogonal_0.9_ratio_h0_hT"] < 1e-5           # vanishes
    assert 0.1 < g["orthogonal_1_ratio_h0_hT"] < 10         # "within a factor of a few"
    assert g["orthogonal_1.5_ratio_h0_hT"] > 1e3            # explodes
    assert g["orthogonal_explode_a"] > 1.0                  # growth needs sigma_max > 1


def test_measured_gradients_never_exceed_the_bound(r):
    g = r["regimes"]
    assert g["all_below_bound"] is True
    assert g["max_measured_over_bound"] <= 1.0


def test_rescaling_up_to_1_5_still_vanishes_per_step(r):
    g = r["regimes"]
    rates = [g[f"rescaled_{a}_growth_per_step"] for a in ("0.9", "1", "1.1", "1.5")]
    assert rates == sorted(rates) and rates[-1] < 0.7                        # rises, stays far below 1


def test_bound_is_loose_for_the_default_init(r):
    g = r["regimes"]
    assert g["default_growth_per_step"] < 1.0 < g["default_sigma_max"]


def test_float32_gradient_underflows_to_exactly_zero_beyond_about_100_steps(r):
    t = r["gradient_norms"]["float32_rnn_zero_from_T"]
    assert t is not None and 100 <= t <= 200


# --- Sections 2.2 and 3.3: which cells keep a gradient at initialisation ------------------------

def test_rnn_gradient_decays_exponentially(r):
    g = r["gradient_norms"]
    values = [g[f"rnn_T{T}"] for T in (10, 50, 100, 200)]
    assert values == sorted(values, reverse=True)
    early = (g["rnn_T50"] / g["rnn_T10"]) ** (1 / 40)
    late = (g["rnn_T200"] / g["rnn_T100"]) ** (1 / 100)
    assert abs(math.log(early) - math.log(late)) < 0.2 * abs(math.log(late))  # a straight line on a log scale
    assert 0.3 < g["rnn_decay_per_step"] < 0.6


def test_lstm_at_default_init_vanishes_too_but_slower_than_rnn(r):
    g = r["gradient_norms"]
    for lstm in ("lstm_T200_geomean", "lstm_bias0_T200_geomean"):     # default init, and bias 0
        assert 1e10 * g["rnn_T200"] < g[lstm] < 1e-20
    assert g["rnn_decay_per_step"] < 0.5                               # halving is "hardly better"
    assert g["gru_T200"] > 1e10 * g["rnn_T200"]
    assert g["gru_T200"] < 1e-20


def test_forget_bias_opens_the_highway(r):
    g = r["gradient_norms"]
    assert g["lstm_bias1_T200_geomean"] > 1e10 * g["lstm_bias0_T200_geomean"]
    assert g["lstm_bias1_T200_geomean"] < 1e-6
    assert g["lstm_bias3_T200_geomean"] > 1e-2
    assert 0.45 < g["lstm_bias0_mean_forget_gate"] < 0.55          # sigma(0) = 0.5
    assert 0.68 < g["lstm_bias1_mean_forget_gate"] < 0.78          # sigma(1) = 0.73
    assert g["lstm_bias3_mean_forget_gate"] > 0.9                  # sigma(3) = 0.95


# --- Exercise 3: forget-bias training and the long-range recall task ----------------------------

def test_forget_bias_training_ordering(r):
    f = r["forget_bias"]
    chance = f["chance"]
    assert f["bias0_final_accuracy_mean"] < chance + 0.05                  # "never gets off chance"
    assert f["bias0_seeds_reaching_90pct"] == 0
    assert 1 <= f["bias1_seeds_reaching_90pct"] < f["n_seeds"]             # "learns it on some seeds"
    assert f["bias1_final_accuracy_mean"] > f["bias0_final_accuracy_mean"] + 0.2
    assert f["bias3_seeds_reaching_90pct"] == f["n_seeds"]                 # "on all of them"
    assert f["bias3_final_accuracy_mean"] > 0.95
    assert f["kept_share_bias0"] < 1e-5 < f["kept_share_bias1"] < 1e-2 < 0.3 < f["kept_share_bias3"]


def test_long_range_accuracy_pattern(r):
    g = r["long_range"]
    chance, solved = g["chance"], g["solved_threshold"]
    near_chance = chance + 0.15
    for m in ("rnn", "lstm_bias0", "lstm_bias1", "lstm_bias3", "gru"):
        assert g[f"{m}_gap10_accuracy"] >= solved, m                      # gap 10: every cell
        assert g[f"{m}_gap100_accuracy"] < near_chance, m                   # gap 100: none in budget
    assert g["lstm_bias0_gap20_accuracy"] < near_chance                     # "at chance"
    assert g["rnn_gap20_accuracy"] < 0.5                                    # "well short"
    assert 0.8 <= g["lstm_bias1_gap20_accuracy"] < solved                   # "nearly solves it"
    assert g["gru_gap20_accuracy"] >= solved
    assert g["lstm_bias3_gap20_accuracy"] >= solved
    assert g["lstm_bias3_gap50_accuracy"] >= solved                         # only bias 3 at gap 50
    for m in ("rnn", "lstm_bias0", "lstm_bias1", "gru"):
        assert g[f"{m}_gap50_accuracy"] < solved, m


# --- Section 5: the language models, sampling, the CLI run ---------------------------------------

def test_char_lms_beat_bigram_and_end_close_together(r):
    c = r["char_lm"]
    finals = [c[f"{cell}_final_val_nats"] for cell in ("rnn", "lstm", "gru")]
    assert max(finals) < c["bigram_nats"] - 0.5                              # "far below the bigram baseline"
    assert max(finals) - min(finals) < 0.15                                   # "end close together"
    assert c["lstm_final_val_nats"] > min(finals)                             # "the LSTM is not ahead"
    assert c["unigram_nats"] > c["bigram_nats"]
    params = [c[f"{cell}_parameters"] for cell in ("rnn", "lstm", "gru")]
    assert max(params) / min(params) < 1.01                                   # "similar size"


def test_temperature_limits(r):
    c = r["char_lm"]
    assert c["entropy_at_min_T"] < 0.2                                        # near one-hot: greedy
    assert c["entropy_at_max_T"] > 0.9 * c["log_vocab"]                       # near uniform
    assert c["entropy_at_min_T"] < c["entropy_at_T1"] < c["entropy_at_max_T"]
    assert 0.8 < c["best_val_temperature"] < 1.25                             # "close to the model's own distribution"
    ll = [c[f"sample_T{t}_loglik"] for t in ("0.2", "0.5", "0.8", "1", "1.5", "3")]
    assert ll == sorted(ll, reverse=True)                                     # hotter -> less likely text
    assert c["sample_greedy_loglik"] < c["sample_T0.2_loglik"]                # greedy is not the likeliest


def test_gate_probe_uses_the_same_model(r):
    assert r["char_lm"]["scratch_vs_torch_max_abs_logit_diff"] < 1e-4


def test_cli_run_beats_bigram(r):
    c = r["cli_run"]
    assert c["best_val_nats"] < c["bigram_nats"]
    assert c["sample"].startswith("BRUTUS.")
