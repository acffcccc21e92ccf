"""The experiments at tiny budgets: they measure what the lesson claims, are deterministic per seed,
and return plain JSON data."""
import json
import math

import pytest
import torch

from lesson_code.day03.cells import LSTMCell
from lesson_code.day03.corpus import EXCERPT_PATH, load_corpus, train_val_split
from lesson_code.day03.data import Vocab
from lesson_code.day03.experiments import EXPERIMENTS, char_lm, forget_bias, gradient_norms, long_range, lm_probes, regimes
from lesson_code.day03.experiments.__main__ import main as cli_main
from lesson_code.day03.experiments._common import check_json, geomean, safe_norm
from lesson_code.day03.experiments._probe import lstm_gates
from lesson_code.day03.model import CharLMConfig, build_model


def _roundtrip(result):
    check_json(result)
    return json.loads(json.dumps(result, allow_nan=False))


# ---------------------------------------------------------------- helpers


def test_registry_lists_the_five_experiments():
    assert set(EXPERIMENTS) == {"gradient_norms", "regimes", "forget_bias", "long_range", "char_lm"}
    assert all(callable(f) for f in EXPERIMENTS.values())


def test_safe_norm_survives_where_float32_norm_underflows():
    g = torch.full((64,), 1e-30, dtype=torch.float32)
    assert g.norm().item() == 0.0  # the pitfall: 1e-60 squares underflow
    assert safe_norm(g) == pytest.approx(8e-30, rel=1e-6)
    assert safe_norm(torch.zeros(3)) == 0.0


def test_geomean_and_check_json():
    assert geomean([1e-10, 1e-30]) == pytest.approx(1e-20)
    assert geomean([0.0, 1.0]) == 0.0
    check_json({"a": [1, 2.5, None, True, "x"]})
    for bad in ({"a": float("inf")}, {"a": float("nan")}, {1: 2}, {"a": torch.tensor(1.0)}, {"a": (1, 2)}):
        with pytest.raises((TypeError, ValueError)):
            check_json(bad)


def test_lstm_gates_reproduce_the_cell_step():
    torch.manual_seed(0)
    cell = LSTMCell(5, 7).double()
    x = torch.randn(3, 5, dtype=torch.float64)
    state = (torch.randn(3, 7, dtype=torch.float64), torch.randn(3, 7, dtype=torch.float64))
    g = lstm_gates(cell, x, state)
    h, (h2, c) = cell(x, state)
    assert torch.allclose(c, g["f"] * state[1] + g["i"] * g["g"], atol=1e-14)
    assert torch.allclose(h, g["o"] * torch.tanh(c), atol=1e-14)


# ---------------------------------------------------------------- gradient norms


@pytest.fixture(scope="module")
def grad_result():
    return gradient_norms.run(seed=0, n_seeds=2, T_values=(10, 50), float32_T_max=160, float32_T_step=40)


def test_gradient_norms_measure_vanishing(grad_result):
    f64 = grad_result["float64"]
    rnn = f64["rnn"]["h0_geomean"]  # per T: 10, 50
    assert rnn[1] < 1e-6 * rnn[0]  # exponential decay: 40 more steps cost > 6 orders of magnitude
    for name in ("rnn", "gru", "lstm", "lstm_bias0", "lstm_bias1"):  # bias 3 may even grow from T=10 to 50
        assert f64[name]["h0_geomean"][1] < 1e-3 * f64[name]["h0_geomean"][0]
    # forget bias 3 keeps orders of magnitude more gradient than bias 0 (and bias 1 sits between)
    b0, b1, b3 = (f64[n]["h0_geomean"][1] for n in ("lstm_bias0", "lstm_bias1", "lstm_bias3"))
    assert b0 < 1e-3 * b1 and b1 < 1e-3 * b3
    assert f64["lstm_bias3"]["T"]["50"]["mean_forget_gate"] > 0.9 > 0.6 > f64["lstm_bias0"]["T"]["50"]["mean_forget_gate"]
    # every t is recorded; ∂L/∂h_T = ones(64) for L = sum(h_T), so its norm is exactly 8
    curve = f64["rnn"]["T"]["50"]["grad_h"]["geomean"]
    assert len(curve) == 51 and curve[-1] == pytest.approx(8.0, rel=1e-12)
    assert curve[0] < curve[25] < curve[50]


def test_gradient_norms_float32_underflow(grad_result):
    f32 = grad_result["float32"]
    assert f32["T_grid"] == [40, 80, 120, 160]
    rnn = f32["rnn"]
    for exact, naive in zip(rnn["zero_from_T"], rnn["naive_zero_from_T"]):
        assert exact is not None and 80 <= exact <= 160  # issue: exactly 0.0 beyond T ≈ 100
        assert naive is not None and naive <= exact  # float32's own norm reads 0 earlier
    for row in rnn["h0_norm"]:
        assert row[0] > 0.0 and row[-1] == 0.0


def test_gradient_norms_deterministic_and_json(grad_result):
    again = gradient_norms.run(seed=0, n_seeds=2, T_values=(10, 50), float32_T_max=160, float32_T_step=40)
    assert again == grad_result
    assert _roundtrip(grad_result) == grad_result
    threads = torch.get_num_threads()
    torch.set_num_threads(2)  # not 1 (the test workers' count), so that restoring it is visible
    try:
        other = gradient_norms.run(seed=1, n_seeds=1, T_values=(10,), float32_T_max=10, float32_T_step=10)
        assert torch.get_num_threads() == 2  # run() uses one thread inside and restores the count
    finally:
        torch.set_num_threads(threads)
    assert other["float64"]["rnn"]["h0_per_seed"][0] != grad_result["float64"]["rnn"]["h0_per_seed"][0]


def test_path_decomposition_direct_route_is_the_product_of_keep_gates():
    """The "direct" route's gradient is exactly diag(∏f) (LSTM, at c_0) or diag(∏z) (GRU, at h_0)
    applied to ∂L/∂(last state); "total" is the plain autograd gradient; cutting never changes the forward."""
    T = 30
    xs = torch.randn(1, T, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    for name in ("lstm_bias1", "gru"):
        cell = gradient_norms.make_configured_cell(name, 0, 8).double()
        outs = {r: gradient_norms.unroll_cut(cell, xs, r) for r in gradient_norms.ROUTES}
        for r in gradient_norms.ROUTES:  # same forward values and gates whatever is cut
            assert torch.equal(outs[r][1], outs["total"][1]) and torch.equal(outs[r][2], outs["total"][2])
        first, hT, log_keep = gradient_norms.unroll_cut(cell, xs, "direct")
        (g,) = torch.autograd.grad(hT.sum(), [first])
        prod = log_keep.sum(0).exp()  # ∏_t keep_t per unit: (H,)
        if name == "gru":
            expected = prod  # ∂L/∂h_T = 1
        else:  # ∂L/∂c_T through h_T = o_T ⊙ tanh(c_T): o_T ⊙ (1 - tanh²(c_T))
            states, _ = gradient_norms.unroll_states(cell, xs)
            h_prev, c_T = states[-2][0], states[-1][1]
            o_T = torch.sigmoid((cell.W_x(xs[:, -1]) + cell.W_h(h_prev)).chunk(4, -1)[3])
            expected = prod * (o_T * (1 - torch.tanh(c_T) ** 2))[0]
        assert torch.allclose(g[0], expected, rtol=1e-10, atol=0), name
        first, hT, _ = gradient_norms.unroll_cut(cell, xs, "total")
        (g_total,) = torch.autograd.grad(hT.sum(), [first])
        states, _ = gradient_norms.unroll_states(cell, xs)
        ref = states[0][1] if name != "gru" else states[0]  # c_0 (LSTM) or h_0 (GRU)
        top = states[-1][0] if name != "gru" else states[-1]
        (g_ref,) = torch.autograd.grad(top.sum(), [ref])
        assert torch.allclose(g_total, g_ref, rtol=1e-10, atol=0), name


def test_path_decomposition_in_the_run(grad_result):
    paths = grad_result["paths"]
    assert paths["T"] == 50
    for name in gradient_norms.DECOMPOSED:
        e = paths[name]
        assert len(e["per_seed"]) == 2 and len(e["per_seed"][0]["log10_unit_products"]) == 64
        assert e["grad_direct"] < e["grad_total"]  # the direct path is one route among many
        assert e["unit_product_median"] <= e["unit_product_max"]
        assert 0.0 <= e["share_units_above_heuristic"] <= 1.0
    assert paths["lstm_bias3"]["heuristic"] == pytest.approx((1 / (1 + math.exp(-3.0))) ** 50)
    assert paths["lstm_bias0"]["heuristic"] == pytest.approx(0.5 ** 50)


# ---------------------------------------------------------------- regimes


@pytest.fixture(scope="module")
def regimes_result():
    return regimes.run(seed=0, n_seeds=2, T=60, scales=(0.9, 3.0))


def test_regimes_measured_norms_never_exceed_the_bound(regimes_result):
    assert regimes_result["quotes"]["all_below_bound"]
    for case in regimes_result["cases"].values():
        for m in case["per_seed"]:
            bound = [m["grad"][0] * m["sigma_max"] ** d for d in range(len(m["grad"]))]
            assert all(g <= b * (1 + 1e-9) for g, b in zip(m["grad"], bound))
        assert all(g <= jb * (1 + 1e-9) <= b * (1 + 1e-6) for g, jb, b in
                   zip(case["grad_geomean"], case["jacobian_bound_geomean"], case["bound_geomean"]))
        assert max(case["jacobian_norms_mean"]) <= case["sigma_max"] * (1 + 1e-9)


def test_regimes_sigma_above_one_is_not_enough_to_explode(regimes_result):
    cases = regimes_result["cases"]
    d = cases["default"]
    assert d["sigma_max"] > 1.0 and d["spectral_radius"] < 0.8  # issue: ≈ 1.13 and ≈ 0.59
    assert d["outcome"] == "vanishes" and not d["sufficient_for_vanishing"]
    assert cases["rescaled_0.9"]["sufficient_for_vanishing"] and cases["rescaled_0.9"]["outcome"] == "vanishes"
    assert cases["orthogonal_3"]["outcome"] == "explodes"
    assert cases["orthogonal_3"]["ratio_h0_hT"] > 1e6
    # near-linear orthogonal W with a = 0.9: the bound 0.9^d is almost attained
    o = cases["orthogonal_0.9"]
    assert o["grad_geomean"][30] == pytest.approx(o["bound_geomean"][30], rel=0.05)
    assert cases["rescaled_0.9"]["sigma_max"] == pytest.approx(0.9, rel=1e-9)


def test_regimes_outcome_labels():
    assert regimes.outcome(1e-5) == "vanishes"
    assert regimes.outcome(1 / 230) == "shrinks"        # never "roughly stable"
    assert regimes.outcome(0.6) == "roughly stable"
    assert regimes.outcome(44.0) == "grows"
    assert regimes.outcome(1e6) == "explodes"


def test_regimes_slopes_and_predictions(regimes_result):
    for name, case in regimes_result["cases"].items():
        T = case["T"]
        assert len(case["rms_tanh_prime_by_step"]) == T
        assert 0 < case["mean_tanh_prime"] <= case["rms_tanh_prime"] <= 1.0, name
        assert case["predicted_per_step_mean"] == pytest.approx(case["spectral_radius"] * case["mean_tanh_prime"])
        assert case["predicted_per_step_rms"] == pytest.approx(case["spectral_radius"] * case["rms_tanh_prime"])
        assert case["rms_prediction_over_measured"] == pytest.approx(
            case["predicted_per_step_rms"] / case["growth_per_step"])
    # an orthogonal W with tiny inputs: slopes ≈ 1, rho = sigma_max = a, the prediction is exact
    o = regimes_result["cases"]["orthogonal_0.9"]
    assert o["mean_tanh_prime"] > 0.999 and o["spectral_radius"] == pytest.approx(0.9, rel=1e-9)
    assert o["rms_prediction_over_measured"] == pytest.approx(1.0, abs=1e-3)


def test_regimes_slope_stats_by_hand():
    h = [torch.tensor([[0.0, 0.6]]), torch.tensor([[0.8, 0.0]])]  # tanh' = [1, 0.64], [0.36, 1]
    st = regimes.slope_stats(h)
    assert st["tanh_prime_mean"] == pytest.approx((1 + 0.64 + 0.36 + 1) / 4)
    assert st["tanh_prime_rms_by_step"] == pytest.approx([((1 + 0.64 ** 2) / 2) ** 0.5, ((0.36 ** 2 + 1) / 2) ** 0.5])


def test_regimes_deterministic_and_json(regimes_result):
    assert regimes.run(seed=0, n_seeds=2, T=60, scales=(0.9, 3.0)) == regimes_result
    assert _roundtrip(regimes_result) == regimes_result


# ---------------------------------------------------------------- long-range task


def test_recall_batches_put_the_label_first():
    gen = torch.Generator().manual_seed(0)
    x, y = long_range.make_batch(500, 30, 8, 8, gen)
    assert x.shape == (500, 32) and y.shape == (500,)
    assert torch.equal(x[:, 0], y) and int(y.min()) == 0 and int(y.max()) == 7
    assert int(x[:, 1:-1].min()) == 8 and int(x[:, 1:-1].max()) == 15  # distractors only
    assert bool((x[:, -1] == 16).all())  # the query symbol
    x2, _ = long_range.make_batch(500, 30, 8, 8, torch.Generator().manual_seed(0))
    assert torch.equal(x, x2)


def test_recall_task_is_learned_with_forget_bias_3_and_not_by_chance():
    h = long_range.train_recall("lstm", 3.0, gap=10, seed=0, steps=100, eval_every=50, eval_size=500)
    assert h["eval_step"] == [0, 50, 100]
    assert h["eval_accuracy"][0] < 0.3 and h["final_accuracy"] > 0.9


def test_recall_scratch_backend_runs_on_our_cells():
    net = long_range.RecallNet("gru", 17, 8, backend="scratch")
    assert net(torch.zeros(4, 12, dtype=torch.long)).shape == (4, 8)
    h = long_range.train_recall("lstm", 1.0, gap=3, seed=0, steps=2, eval_every=1, eval_size=16, backend="scratch")
    assert len(h["eval_accuracy"]) == 3


def test_keep_gate_products_count_the_gap_steps():
    """With every weight zero the keep gate is σ(bias) at every step, so each unit's product over the
    gap + 1 steps after the symbol is σ(bias)^(gap + 1); torch's two biases are added."""
    x, _ = long_range.make_batch(5, 7, 8, 8, torch.Generator().manual_seed(0))  # (5, 9)
    for kind in ("lstm", "gru"):
        net = long_range.RecallNet(kind, 17, 8, hidden_size=4)
        with torch.no_grad():
            for p in net.rnn.parameters():
                p.zero_()
            H = 4
            net.rnn.bias_ih_l0[H:2 * H] = 1.5  # the forget gate (LSTM: i, f, g, o) or z (GRU: r, z, n)
            net.rnn.bias_hh_l0[H:2 * H] = 0.5
        prods = long_range.keep_gate_products(net, x)
        assert prods == pytest.approx([(1 / (1 + math.exp(-2.0))) ** 8] * 4, rel=1e-6), kind
    assert long_range.keep_gate_products(long_range.RecallNet("rnn", 17, 8), x) is None
    scratch = long_range.RecallNet("gru", 17, 8, hidden_size=4, backend="scratch")
    assert len(long_range.keep_gate_products(scratch, x)) == 4


def test_long_range_run_schema():
    r = long_range.run(seed=0, n_seeds=2, gaps=(3, 5), steps=4, models=("rnn", "lstm_bias3"), eval_every=2)
    assert r["chance"] == 0.125 and r["gaps"] == [3, 5] and r["seeds"] == [0, 1]
    m = r["models"]["lstm_bias3"]
    assert len(m["accuracy"]) == 2 and len(m["accuracy_per_seed"]) == 2
    assert all(lo <= a <= hi for lo, a, hi in zip(m["accuracy_min"], m["accuracy"], m["accuracy_max"]))
    assert all(0 <= k <= 2 for k in m["seeds_solved"])
    assert len(m["keep_product_max_init"]) == 2 and "keep_product_max_init" not in r["models"]["rnn"]
    assert r["quotes"]["lstm_bias3_gap5_seeds_solved"] == m["seeds_solved"][1]
    assert _roundtrip(r) == r
    assert long_range.run(seed=0, n_seeds=2, gaps=(3, 5), steps=4, models=("rnn", "lstm_bias3"), eval_every=2) == r


def test_forget_bias_changes_what_the_lstm_learns():
    r = forget_bias.run(seed=0, n_seeds=2, biases=(0.0, 3.0), gap=20, steps=100, eval_every=50)
    s0, s3 = r["settings"]["0"], r["settings"]["3"]
    assert s3["final_accuracy_mean"] > 0.9 and s0["final_accuracy_mean"] < 0.3
    assert s3["final_loss_mean"] < s0["final_loss_mean"]
    assert len(s0["eval_loss_mean"]) == len(r["eval_step"]) == 3
    assert all(lo <= m <= hi for lo, m, hi in zip(s0["eval_loss_min"], s0["eval_loss_mean"], s0["eval_loss_max"]))
    assert s3["steps_to_90pct"] == [50, 50] and s0["steps_to_90pct"] == [None, None]
    assert _roundtrip(r) == r


# ---------------------------------------------------------------- char-LM (on the shipped excerpt)


@pytest.fixture(scope="module")
def lm_result():
    return char_lm.run(seed=0, n_seeds=2, steps=30, lstm_hidden=32, eval_every=15, eval_tokens=500,
                       memorise_steps=12, corpus_path=EXCERPT_PATH)


def test_char_lm_models_are_matched_and_learn(lm_result):
    models = lm_result["models"]
    n = models["lstm"]["parameters"]
    for cell in ("rnn", "gru"):
        assert abs(models[cell]["parameters"] - n) / n < 0.03
    assert models["rnn"]["hidden_size"] > models["gru"]["hidden_size"] > models["lstm"]["hidden_size"]
    b = lm_result["baselines"]
    assert b["bigram"] < b["unigram"] < lm_result["log_vocab"]
    for m in models.values():
        assert m["val_step"] == [15, 30] and len(m["train_nats"]) == 3
        assert m["final_val_nats"] < lm_result["log_vocab"]  # better than uniform after 30 steps
        assert m["train_nats"][-1] < m["train_nats"][0]
    assert models["lstm_bias1"]["config"]["forget_bias"] == 1.0 and models["lstm"]["config"]["forget_bias"] is None
    assert models["lstm_bias1"]["hidden_size"] == models["lstm"]["hidden_size"]
    memo = lm_result["memorisation"]  # the pitfall run: a model far larger than its 500 training characters
    assert memo["chars"] == 500 and memo["params_per_char"] == memo["parameters"] / 500 > 100
    assert memo["val_step"] == [2, 4, 6, 8, 10, 12] and len(memo["val_nats"]) == 6


def test_char_lm_seeds_and_paired_differences(lm_result):
    """Every arm at every seed; a paired difference is the interval of the per-seed differences."""
    per_seed = lm_result["per_seed"]
    assert set(per_seed) == set(char_lm.ARMS) and all(len(v) == 2 for v in per_seed.values())
    assert per_seed["lstm"][0] == lm_result["models"]["lstm"]["final_val_nats"]  # models = the first seed
    assert per_seed["lstm"][0] != per_seed["lstm"][1]  # the seeds differ
    d = lm_result["differences"]["lstm_bias1_minus_lstm"]
    assert d["values"] == pytest.approx([a - b for a, b in zip(per_seed["lstm_bias1"], per_seed["lstm"])])
    assert d["lo"] <= d["mean"] <= d["hi"]
    assert lm_result["quotes"]["diff_gru_minus_lstm"] == lm_result["differences"]["gru_minus_lstm"]


def test_char_lm_deterministic_and_json(lm_result):
    again = char_lm.run(seed=0, n_seeds=2, steps=30, lstm_hidden=32, eval_every=15, eval_tokens=500,
                        memorise_steps=12, corpus_path=EXCERPT_PATH)
    assert again == lm_result
    assert _roundtrip(lm_result) == lm_result


# ---------------------------------------------------------------- probes of a char-LM (showcase model)


@pytest.fixture(scope="module")
def probe_setup():
    """A small untrained 2-layer nn.LSTM char-LM on the shipped excerpt: the probes need no training."""
    text = load_corpus(EXCERPT_PATH)
    _, val_text = train_val_split(text)
    vocab = Vocab.from_text(text)
    torch.manual_seed(0)
    model = build_model(CharLMConfig(vocab.size, "lstm", 8, 12, 2, 0.2, backend="torch")).eval()
    return model, vocab, val_text


def test_boundary_rule_and_excerpt_ends_after_a_word(probe_setup):
    _, _, val_text = probe_setup
    assert [lm_probes.is_boundary(c) for c in "a Z9 \n,.'-"] == [False, True, False, False, True, True, True,
                                                                  True, True, True]
    start, excerpt = lm_probes.gate_excerpt(val_text, 57)
    assert val_text[start:].startswith(excerpt) and 0 < len(excerpt) <= 57
    assert not lm_probes.is_boundary(excerpt[-1]) and lm_probes.is_boundary(val_text[start + len(excerpt)])


def test_gate_probe_statistics(probe_setup):
    model, vocab, val_text = probe_setup
    g = lm_probes.gate_probe(model, vocab, val_text, excerpt_length=40, warmup_length=20, n_units=4, span_length=200)
    assert g["max_abs_logit_diff"] < 1e-5  # the scratch copy computes the same model
    assert g["layer_shown"] == 1 and g["hidden_size"] == 12 and len(g["unit_index"]) == 4
    assert len(g["units"]["f"]) == 4 and all(len(row) == len(g["chars"]) for row in g["units"]["f"])
    # the numbers quoted for the figure are the means of the rows it shows
    mask = [lm_probes.is_boundary(c) for c in g["chars"]]
    f_b = [v for row in g["units"]["f"] for v, m in zip(row, mask) if m]
    f_in = [v for row in g["units"]["f"] for v, m in zip(row, mask) if not m]
    assert g["excerpt_shown_units"]["f"]["boundary"] == pytest.approx(sum(f_b) / len(f_b))
    assert g["excerpt_shown_units"]["f"]["inside"] == pytest.approx(sum(f_in) / len(f_in))
    # the unit rule: no unit left out varies more than a unit shown
    f_std = g["per_unit_span"]["f_std"]
    assert len(f_std) == 12
    assert min(f_std[u] for u in g["unit_index"]) >= max(f_std[u] for u in range(12) if u not in g["unit_index"])
    q = lm_probes.gate_quotes(g)
    assert 0 < q["ex_all_f_inside"] < 1 and 0 <= q["all_f_frac_lower_at_boundaries"] <= 1
    assert _roundtrip(g) == g


def test_choose_units_takes_the_most_variable_forget_gates():
    f = torch.zeros(5, 6, dtype=torch.float64)
    f[:, 4] = torch.tensor([0.0, 1, 0, 1, 0])   # most variable
    f[:, 1] = torch.tensor([0.4, 0.6, 0.4, 0.6, 0.4])
    assert lm_probes.choose_units({"f": f}, 2) == [1, 4]


def test_samples_and_entropy_probes(probe_setup):
    model, vocab, val_text = probe_setup
    prompt = lm_probes.sample_prompt(val_text, 50)
    assert 0 < len(prompt) <= 50 and prompt.endswith("\n")
    texts = lm_probes.samples_at_temperatures(model, vocab, prompt, (0.5, 3.0), 30, seed=0)
    assert [s["temperature"] for s in texts] == [None, 0.5, 3.0]
    assert all(len(s["text"]) == 30 and s["mean_log_likelihood"] < 0 for s in texts)
    assert texts == lm_probes.samples_at_temperatures(model, vocab, prompt, (0.5, 3.0), 30, seed=0)
    ent = lm_probes.entropy_vs_temperature(model, vocab, vocab.encode(val_text), 300, 7)
    assert ent["temperature"][0] == pytest.approx(0.05) and ent["temperature"][-1] == pytest.approx(5.0)
    e = ent["mean_entropy"]
    assert all(a < b for a, b in zip(e, e[1:]))  # entropy rises with temperature ...
    assert e[-1] < math.log(vocab.size) == pytest.approx(ent["log_vocab"])  # ... towards log V


def test_cli_writes_json_atomically(tmp_path, monkeypatch):
    monkeypatch.setitem(EXPERIMENTS, "regimes", lambda seed: regimes.run(seed=seed, n_seeds=1, T=5, scales=(1.0,)))
    out = tmp_path / "sub" / "r.json"
    assert cli_main(["regimes", "--seed", "2", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["seed"] == 2 and data["experiment"] == "regimes"
    assert [p.name for p in out.parent.iterdir()] == ["r.json"]  # no temporary file left behind


def test_grad_at_first_state_matches_the_experiment():
    """The page's one-function version of Exercise 1 measures the same thing as the experiment."""
    res = gradient_norms.run(seed=0, n_seeds=1, T_values=(50,), float32_T_max=50, float32_T_step=50)
    for name, kind, bias in (("rnn", "rnn", None), ("gru", "gru", None), ("lstm_bias1", "lstm", 1.0)):
        expected = res["float64"][name]["h0_geomean"][0]
        got = gradient_norms.grad_at_first_state(kind, 50, seed=0, forget_bias=bias)
        assert got == pytest.approx(expected, rel=1e-9), name


def test_direct_path_share_against_T(grad_result):
    """The direct path's share of the gradient at the first state, per seed, at each T of SHARE_T
    that fits the run; it falls with T for the LSTM with forget bias 3 (section 3.3)."""
    share = grad_result["direct_share"]
    assert share["T"] == [20, 50]
    for name in gradient_norms.DECOMPOSED:
        assert len(share[name]["per_seed"]) == 2
        for row in share[name]["per_seed"]:
            assert all(0 < v for v in row)
        assert share[name]["min"][0] <= share[name]["geomean"][0] <= share[name]["max"][0]
    assert share["lstm_bias3"]["max"][1] < share["lstm_bias3"]["min"][0]
    q = grad_result["quotes"]["share_lstm_bias3_T20"]
    assert q["geomean"] == share["lstm_bias3"]["geomean"][0] and q["n"] == 2


def test_gru_with_update_gate_biases_zeroed():
    """Config gru_zbias0: the default GRU's weights at the same seed, with b_xz = b_hz = 0 and nothing else changed."""
    plain = gradient_norms.make_configured_cell("gru", 4, 8)
    zeroed = gradient_norms.make_configured_cell("gru", 4, 8)
    gradient_norms.set_update_gate_bias(zeroed, 0.0)
    again = gradient_norms.make_configured_cell("gru_zbias0", 4, 8)
    for (n, a), (_, b), (_, c) in zip(plain.named_parameters(), zeroed.named_parameters(), again.named_parameters()):
        assert torch.equal(b, c), n
        if n.endswith("bias"):
            assert torch.all(b[8:16] == 0) and torch.equal(a[:8], b[:8]) and torch.equal(a[16:], b[16:])
        else:
            assert torch.equal(a, b), n
    biased = gradient_norms.make_configured_cell("gru_zbias3", 4, 8)
    assert torch.all(biased.W_x.bias[8:16] + biased.W_h.bias[8:16] == 3.0)
    assert gradient_norms.grad_of_config("gru", 20, seed=4, size=8) == pytest.approx(
        gradient_norms.grad_at_first_state("gru", 20, seed=4, size=8), rel=1e-12)


def test_direct_path_share_on_a_recall_model():
    """long_range.direct_path_share: the same route-cutting ratio as gradient_norms, on the recall
    model's embedded inputs; None for the vanilla RNN; the model itself is left unchanged."""
    gen = torch.Generator().manual_seed(0)
    x, _ = long_range.make_batch(16, 5, 8, 8, gen)
    torch.manual_seed(0)
    for backend in ("torch", "scratch"):
        net = long_range.RecallNet("lstm", 17, 8, hidden_size=8, backend=backend)
        before = {k: v.clone() for k, v in net.state_dict().items()}
        share = long_range.direct_path_share(net, x)
        assert 0 < share < 1
        assert all(torch.equal(v, before[k]) and v.dtype == torch.float32 for k, v in net.state_dict().items())
    assert long_range.direct_path_share(long_range.RecallNet("rnn", 17, 8, hidden_size=8), x) is None
