"""The model: config checks, masked encoder, the context as the only channel, teacher forcing vs stepping, gradients."""
import pytest
import torch
import torch.nn.functional as F
from torch.func import functional_call

from lesson_code.day03.cells import CELL_TYPES
from lesson_code.day04.model import Seq2Seq, Seq2SeqConfig, context_size, count_parameters, map_state
from lesson_code.day04.numbers import batch_of_numbers

NUMBERS = [5, 312_045, 21, 1_000_000_017, 40]


def tiny(cell="lstm", seed=0, dtype=torch.float64, **kw):
    torch.manual_seed(seed)
    cfg = dict(src_vocab_size=35, tgt_vocab_size=13, embed_size=8, hidden_size=12, cell=cell)
    return Seq2Seq(Seq2SeqConfig(**{**cfg, **kw})).to(dtype)


def states_close(a, b, **tol):
    a, b = (a if isinstance(a, tuple) else (a,)), (b if isinstance(b, tuple) else (b,))
    return len(a) == len(b) and all(torch.allclose(x, y, **tol) for x, y in zip(a, b))


def test_config_round_trip_and_errors():
    cfg = Seq2SeqConfig(35, 13, hidden_size=32, cell="gru")
    assert Seq2SeqConfig.from_dict(cfg.to_dict()) == cfg
    for kw, msg in [({"cell": "transformer"}, "unknown cell"), ({"hidden_size": 0}, "hidden_size must be"),
                    ({"embed_size": 2.5}, "embed_size must be"), ({"eos_id": 13}, "eos_id must be"),
                    ({"bos_id": 0}, "must differ")]:
        with pytest.raises(ValueError, match=msg):
            Seq2SeqConfig(35, 13, **kw)
    with pytest.raises(ValueError, match="tgt_vocab_size must be >= 4"):
        Seq2SeqConfig(35, 3)
    with pytest.raises(ValueError, match="unknown Seq2SeqConfig keys"):
        Seq2SeqConfig.from_dict({**cfg.to_dict(), "layers": 2})


def test_parameter_count_and_context_size():
    m = Seq2Seq(Seq2SeqConfig(35, 13, embed_size=32, hidden_size=64))
    E, H = 32, 64
    lstm = E * 4 * H + H * 4 * H + 4 * H  # W_x (no bias), W_h and its bias
    assert count_parameters(m) == 35 * E + lstm + 13 * E + lstm + H * 13 + 13
    assert context_size(m.config) == 128 and context_size(Seq2SeqConfig(35, 13, hidden_size=64, cell="gru")) == 64


@pytest.mark.parametrize("cell", CELL_TYPES)
def test_logits_shape_and_context_shape(cell):
    m = tiny(cell)
    b = batch_of_numbers(NUMBERS)
    assert m(b.src, b.src_len, b.tgt_in).shape == (len(NUMBERS), b.tgt_in.size(1), 13)
    ctx = m.encode(b.src, b.src_len)
    parts = ctx if isinstance(ctx, tuple) else (ctx,)
    assert len(parts) == (2 if cell == "lstm" else 1) and all(p.shape == (len(NUMBERS), 12) for p in parts)
    assert all(p.dtype == torch.float64 for p in parts)  # states follow the model's dtype (x.new_zeros)


@pytest.mark.parametrize("cell", CELL_TYPES)
def test_padded_batch_gives_each_sequence_its_own_context(cell):
    m = tiny(cell)
    b = batch_of_numbers(NUMBERS)
    junk = b.src.clone()
    pad = junk == 0
    junk[pad] = torch.randint(3, 35, (int(pad.sum()),), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        batched = m.encode(b.src, b.src_len)
        with_junk = m.encode(junk, b.src_len)  # what sits in the padding must not matter
        for i, L in enumerate(b.src_len.tolist()):
            alone = m.encode(b.src[i:i + 1, :L], b.src_len[i:i + 1])  # unpadded, batch of one
            assert states_close(map_state(lambda s: s[i:i + 1], batched), alone, rtol=0, atol=1e-12)
    assert states_close(batched, with_junk, rtol=0, atol=0)


def test_context_is_the_only_channel_from_source_to_decoder():
    m = tiny()
    a, b = batch_of_numbers([123, 45]), batch_of_numbers([987_654, 3])
    with torch.no_grad():
        ctx = m.encode(a.src, a.src_len)
        tgt_in = a.tgt_in
        ref = m(a.src, a.src_len, tgt_in)
        assert not torch.allclose(ref, m(b.src, b.src_len, tgt_in))  # the source does matter ...
        m.encoder.forward = lambda src, src_len: ctx  # ... but only through the context
        assert torch.equal(m(b.src, b.src_len, tgt_in), ref)
        assert torch.equal(m.decoder(tgt_in, ctx), ref)


@pytest.mark.parametrize("cell", CELL_TYPES)
def test_teacher_forcing_equals_stepping(cell):
    m = tiny(cell)
    b = batch_of_numbers(NUMBERS)
    with torch.no_grad():
        ctx = m.encode(b.src, b.src_len)
        forced = m.decoder(b.tgt_in, ctx)  # (B, T, V)
        state, stepped = ctx, []
        for t in range(b.tgt_in.size(1)):
            logits, state = m.decoder.step(b.tgt_in[:, t], state)
            stepped.append(logits)
    assert torch.allclose(forced, torch.stack(stepped, dim=1), rtol=0, atol=1e-12)


def test_src_len_is_checked():
    m = tiny()
    b = batch_of_numbers([12, 345])
    with pytest.raises(ValueError, match="src_len must lie in"):
        m.encode(b.src, torch.tensor([0, 3]))
    with pytest.raises(ValueError, match="src_len must lie in"):
        m.encode(b.src, torch.tensor([1, b.src.size(1) + 1]))


def loss_sum(model, batch):
    logits = model(batch.src, batch.src_len, batch.tgt_in)
    return F.cross_entropy(logits.flatten(0, 1), batch.tgt_out.flatten(), ignore_index=0, reduction="sum")


@pytest.mark.parametrize("cell", CELL_TYPES)
def test_padded_batch_gradient_is_the_sum_of_single_gradients(cell):
    m = tiny(cell)
    b = batch_of_numbers(NUMBERS)
    grads = torch.autograd.grad(loss_sum(m, b), list(m.parameters()))
    total = [torch.zeros_like(p) for p in m.parameters()]
    for n in NUMBERS:
        for acc, g in zip(total, torch.autograd.grad(loss_sum(m, batch_of_numbers([n])), list(m.parameters()))):
            acc += g
    for g, ref in zip(grads, total):
        assert torch.allclose(g, ref, rtol=0, atol=1e-11)


@pytest.mark.parametrize("cell", CELL_TYPES)
def test_gradcheck_of_the_loss(cell):
    torch.manual_seed(0)
    m = Seq2Seq(Seq2SeqConfig(35, 13, embed_size=3, hidden_size=4, cell=cell)).double()
    b = batch_of_numbers([7, 1_024, 60])  # padded sources and targets
    names = [n for n, _ in m.named_parameters()]
    params = tuple(p.detach().clone().requires_grad_(True) for p in m.parameters())

    def loss(*ps):
        logits = functional_call(m, dict(zip(names, ps)), (b.src, b.src_len, b.tgt_in))
        return F.cross_entropy(logits.flatten(0, 1), b.tgt_out.flatten(), ignore_index=0)

    assert torch.autograd.gradcheck(loss, params, eps=1e-6, atol=1e-6)


# --- the bridge: k numbers as the only channel --------------------------------------------------

@pytest.mark.parametrize("cell", CELL_TYPES)
def test_bridge_is_the_only_channel_and_has_k_numbers(cell):
    m = tiny(cell, bridge=3)
    assert context_size(m.config) == 3
    width = 12 * (2 if cell == "lstm" else 1)
    assert count_parameters(m) - count_parameters(tiny(cell)) == width * 3 + 3 + 3 * width + width
    b = batch_of_numbers(NUMBERS)
    seen = {}
    m.bridge.down.register_forward_hook(lambda mod, inp, out: seen.setdefault("v", out))
    ctx = m.encode(b.src, b.src_len)
    assert seen["v"].shape == (len(NUMBERS), 3)  # the context: k numbers per source
    # the decoder's start is a function of those k numbers alone
    again = m.bridge.up(seen["v"])
    parts = ctx if isinstance(ctx, tuple) else (ctx,)
    assert torch.allclose(torch.cat(parts, dim=-1), again)


def test_bridge_config_errors_and_round_trip():
    cfg = Seq2SeqConfig(35, 13, bridge=8)
    assert Seq2SeqConfig.from_dict(cfg.to_dict()) == cfg
    assert Seq2SeqConfig.from_dict({k: v for k, v in cfg.to_dict().items() if k != "bridge"}).bridge is None
    for bad in (0, 2.5, "8"):
        with pytest.raises(ValueError, match="bridge must be"):
            Seq2SeqConfig(35, 13, bridge=bad)


@pytest.mark.parametrize("cell", CELL_TYPES)
def test_encoder_read_returns_every_state_and_the_padding_mask(cell):
    m = tiny(cell)
    b = batch_of_numbers(NUMBERS)
    outputs, mask, final = m.encoder.read(b.src, b.src_len)
    assert outputs.shape == (len(NUMBERS), b.src.size(1), 12) and mask.shape == b.src.shape
    assert torch.equal(mask.sum(1), b.src_len)
    assert bool((outputs[~mask] == 0).all())  # padded steps hold zeros
    for i, n in enumerate(b.src_len.tolist()):  # the last real output is the final h
        h = final[0] if isinstance(final, tuple) else final
        assert torch.allclose(outputs[i, n - 1], h[i])
    assert states_close(final, m.encoder(b.src, b.src_len))
