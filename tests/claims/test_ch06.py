"""Claims of chapter 6, Applications, checked on several seeds.

Each test reruns a chapter experiment through the library functions the
chapter calls (at the chapter's budget, or a stated smaller one) on at least
three seeds, and asserts the qualitative claim the chapter draws from it with a
stated margin. A change in the library that breaks a claim shows up here before
it shows up in the book.
"""

import numpy as np
import pytest
import torch

from rnn_book import probe
from rnn_book.experiments import ch06
from rnn_course import models, sampling, scan, seq2seq, train
from rnn_course.data import tasks
from rnn_course.data.text import CharVocab, load_corpus, split_corpus
from rnn_course.ensemble import Ensemble

SEEDS = (0, 1, 2)


@pytest.fixture(autouse=True)
def one_thread():
    torch.set_num_threads(1)


# ----------------------------------------------------------------------------- language model


@pytest.fixture(scope="module")
def corpus():
    text = load_corpus("stdlib")
    vocab = CharVocab.from_text(text)
    split = split_corpus(vocab.encode(text))
    val_text = vocab.decode(split.val)
    begin = val_text.index("\ndef ") + 1
    probe_ids = split.val[begin : begin + 6000]
    return vocab, split, probe_ids


LM_STEPS = 350  # half the chapter's 700, to keep the suite fast


@pytest.fixture(scope="module")
def lms(corpus):
    """One LSTM and one SRN language model per seed, the chapter's settings at half the steps."""
    vocab, split, _ = corpus
    out = {}
    for seed in SEEDS:
        for cell, lr in (("lstm", 1e-2), ("srn", 3e-3)):
            config = train.LMTrainConfig(
                steps=LM_STEPS,
                batch_size=16,
                seq_len=32,
                lr=lr,
                clip=1.0,
                eval_every=LM_STEPS,
                seed=seed,
                progress=False,
            )
            torch.manual_seed(seed)
            lm = models.CharLM(
                len(vocab), hidden_size=128, cell=cell, impl="torch", embedding_dim=32
            )
            run = train.train_lm(lm, split.train, split.val, config)
            out[seed, cell] = (lm, run)
    return out


def test_lm_beats_the_unigram_baseline_and_clipping_rarely_fires(corpus, lms):
    _, split, _ = corpus
    vocab = corpus[0]
    counts = np.bincount(split.train, minlength=len(vocab)) + 1
    unigram_bpc = -np.log2((counts / counts.sum())[split.val]).mean()
    for seed in SEEDS:
        _, run = lms[seed, "lstm"]
        assert run["val_bpc"] < unigram_bpc - 1.0, (seed, run["val_bpc"], unigram_bpc)
        # "Clipping is insurance": it fires on few steps (the chapter: a handful of 700)
        assert run["clip_fraction"] < 0.05, (seed, run["clip_fraction"])
        # fewer than one pass over the training text: every training chunk was unseen
        assert run["steps"] * 16 * 32 < len(split.train)
        # ... and still the validation text (other modules) is predicted worse
        last_50 = np.mean(run["train_loss"][-50:]) / np.log(2)
        assert run["val_bpc"] > last_50 + 0.2, (seed, run["val_bpc"], last_50)


def test_lstm_prediction_reaches_further_back_than_the_srn(corpus, lms):
    _, _, probe_ids = corpus
    for seed in SEEDS:
        far, share = {}, {}
        for cell in ("lstm", "srn"):
            far[cell], share[cell] = ch06.far_share(lms[seed, cell][0], probe_ids)
            assert share[cell].sum() == pytest.approx(1.0, abs=1e-5)
        assert far["lstm"] < 0.2, (seed, far)  # most of it is on the last few characters
        assert far["lstm"] > 1.5 * far["srn"], (seed, far)
        # and the gap widens with distance
        assert share["lstm"][30] > 10 * share["srn"][30], (
            seed,
            share["lstm"][30],
            share["srn"][30],
        )


def test_unit_searches_brackets_survive_the_controls_strings_do_not(corpus, lms):
    vocab, _, probe_ids = corpus
    for seed in SEEDS:
        C = probe.lstm_cell_states(lms[seed, "lstm"][0], probe_ids)
        found = ch06.unit_searches(C, vocab.decode(probe_ids))
        # selected on one half, strong on the other half (like with like)
        for name in ("indentation", "brackets"):
            assert abs(found[name]["r_held_out"]) > 0.3, (seed, name, found[name])
        assert abs(found["indentation"]["r_held_out"]) > 0.5, (seed, found["indentation"])
        # the bracket unit also survives the previous-character control, far above the
        # background (the indentation unit does not reliably: not asserted, not claimed)
        f = found["brackets"]
        assert abs(f["r_control"]) > 2 * f["median_abs_r_control"], (seed, f)
        f = found["string"]  # much of the selected correlation was the search
        assert abs(f["r_held_out"]) < abs(f["r_select"]) - 0.1, (seed, f)


def test_probe_marks_on_python_source():
    s = "x = f(\"a(b\", 'c')  # it's\n    y = [1, (2)]\n"
    inside = probe.in_string(s)
    assert "".join(ch for ch, m in zip(s, inside, strict=True) if m) == "a(bc"
    br = probe.in_brackets(s)
    assert "".join(ch for ch, m in zip(s, br, strict=True) if m).startswith("\"a(b\", 'c'")
    assert probe.in_indent(s).sum() == 4
    assert probe.bracket_pairs("a(b[c])")[-1] == (1, 6)


def test_connectivity_is_the_gradient_of_the_log_probability():
    torch.manual_seed(0)
    lm = models.CharLM(7, hidden_size=8, cell="gru", impl="torch", embedding_dim=4)
    ids = np.array([1, 2, 3, 4, 5, 6, 0, 1])
    g = probe.connectivity(lm, ids, [5], span=4)[0]  # window ids[2:6], predicts ids[6]
    emb = lm.embed(torch.as_tensor(ids[2:6])).detach().requires_grad_(True)
    out, _ = lm.rnn(emb[:, None])
    logp = torch.log_softmax(probe._readout(lm)(out[-1, 0]), -1)[ids[6]]
    logp.backward()
    np.testing.assert_allclose(g, emb.grad.norm(dim=-1).numpy(), rtol=1e-5)


def test_lower_temperature_means_lower_entropy():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=50) * 2
    entropies = []
    for tau in (0.25, 0.5, 1.0, 2.0, 4.0):
        p = sampling.softmax(sampling.apply_temperature(logits, tau))
        entropies.append(-(p * np.log(p)).sum())
    assert np.all(np.diff(entropies) > 0), entropies
    assert entropies[-1] < np.log(50)  # never above the uniform distribution's


# ----------------------------------------------------------------------------- palindromes


def test_ensemble_members_train_exactly_as_alone():
    ens = Ensemble(3, 2, 8, 2, "lstm", seed=4)
    batch = lambda rng: tasks.palindrome(16, 6, rng)
    train.train_sequence_model(ens, batch, steps=20, lr=3e-3, eval_every=20, progress=False)
    torch.manual_seed(5)  # member 1 was initialised from seed 4 + 1
    alone = models.SequenceModel(2, 8, 2, cell="lstm", impl="torch", task="classification")
    train.train_sequence_model(alone, batch, steps=20, lr=3e-3, eval_every=20, progress=False)
    for p, q in zip(ens.members()[1].parameters(), alone.parameters(), strict=True):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), atol=1e-5)
    with pytest.raises(ValueError, match="cell"):
        Ensemble(3, 2, 8, 2, "tanh")


@pytest.mark.slow
def test_both_models_solve_short_palindromes_with_every_seed():
    """'both models solve it with every seed' (T = 4, lr 3e-3, 450 steps), on five seeds."""
    for cell in ("srn", "lstm"):
        acc = ch06.palindrome_accuracy(cell, 4, seeds=5)
        assert acc.min() > 0.95, (cell, acc)


@pytest.mark.slow
def test_a_larger_learning_rate_leaves_some_short_palindrome_runs_near_chance():
    """'With a larger learning rate that changes': some of the SRNs at lr 1e-2 stay low."""
    acc = ch06.palindrome_accuracy("srn", 4, seeds=5, lr=1e-2)
    assert acc.min() < 0.75, acc


@pytest.mark.slow
def test_within_the_budget_the_lstm_is_ahead_on_long_palindromes():
    """'within this budget: the SRN's seeds stay near chance ..., while every LSTM is well on
    its way' (T = 12, lr 3e-3, 450 steps), five seeds."""
    acc = {cell: ch06.palindrome_accuracy(cell, 12, seeds=5) for cell in ("srn", "lstm")}
    assert acc["srn"].max() < 0.65, acc
    assert acc["lstm"].min() > acc["srn"].max() + 0.1, acc


@pytest.mark.slow
def test_with_three_times_the_steps_some_srns_learn_long_palindromes():
    """'The gap is one of speed: with three times the steps some SRN seeds learn length 12 too'."""
    acc = ch06.palindrome_accuracy("srn", 12, seeds=5, steps=3 * 450)
    assert acc.max() > 0.8, acc


# ----------------------------------------------------------------------------- tagging


def test_causal_ceiling_matches_hand_count():
    # w = 2: seen ones s in {0,1,2,3} with probabilities 1/8, 3/8, 3/8, 1/8 and best
    # accuracies 1, 3/4, 3/4, 1 give 13/16.
    assert ch06.causal_ceiling(2) == pytest.approx(13 / 16, abs=1e-12)
    # w = 0 is no future at all: a left-to-right tagger can be perfect.
    assert ch06.causal_ceiling(0) == 1.0


@pytest.mark.parametrize("seed", SEEDS)
def test_left_to_right_tagger_sits_on_its_ceiling_bidirectional_clears_it(seed):
    w, ceiling = 2, ch06.causal_ceiling(2)
    # a shrunken version of the chapter's run (T = 12, H = 32, 300 steps), to keep CI fast
    acc = {
        b: ch06.tagging_accuracy(b, seed=seed, T=8, hidden_size=16, steps=150, lr=2e-2)[w:-w].mean()
        for b in (False, True)
    }
    # The left-to-right tagger cannot beat the ceiling (up to sampling noise of
    # 4 x 2000 labels, standard error about 0.005) and gets close to it; the
    # bidirectional one must clear it.
    assert ceiling - 0.05 <= acc[False] <= ceiling + 0.02, acc
    assert acc[True] >= ceiling + 0.1, acc


# ----------------------------------------------------------------------------- encoder-decoder


def _reverser_accuracy(attention, seed, **kwargs):
    model = ch06.fit_reverser(attention, seed, **kwargs)[0]
    return model, ch06.reverse_accuracy(model, lengths=(3, 7, 8, 9, 10))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_attention_removes_the_bottleneck_and_stretches_one_length_further(seed):
    """fig-app-seq2seq: attention beats the plain model at 7 and still carries strings at
    length 8, one step past training, then collapses by 10; the plain model does not reach 8."""
    torch.set_num_threads(1)
    plain, acc_plain = _reverser_accuracy(False, seed)
    _, acc_att = _reverser_accuracy(True, seed)
    assert acc_plain[3] > acc_plain[7] + 0.2, acc_plain  # falls with length in range
    assert acc_att[7] > acc_plain[7] + 0.2, (acc_plain, acc_att)
    assert acc_att[8] > 0.25 and acc_att[8] > acc_plain[8] + 0.15, (acc_plain, acc_att)
    assert acc_plain[10] < 0.2 and acc_att[10] < 0.2, (acc_plain, acc_att)
    # Whole strings right: the same under teacher forcing and greedy decoding
    src, target = map(torch.as_tensor, seq2seq.reverse_batch(300, 7, np.random.default_rng(2)))
    with torch.no_grad():
        forced = plain(src, target)[0].argmax(-1)
    free = plain.greedy(src, 8)
    assert seq2seq.sequence_accuracy(forced, target) == seq2seq.sequence_accuracy(free, target)
    assert (forced == target).float().mean() >= (free == target).float().mean()


@pytest.mark.slow
@pytest.mark.parametrize("lr_factor", [0.3, 1.0, 3.0])
def test_attention_still_collapses_by_length_10_with_more_training(lr_factor):
    """'"reverse" turns out to have been learned as a set of lengths, not as a rule': three
    times the steps and the learning rate x0.3, x1, x3 (seed 0) do not carry it to length 10."""
    torch.set_num_threads(1)
    _, acc = _reverser_accuracy(True, 0, steps=1800, lr=lr_factor * 1e-2)
    assert acc[10] < 0.2, acc


def test_seq2seq_inputs_are_checked():
    model = seq2seq.EncoderDecoder()
    with pytest.raises(TypeError, match="src"):
        model(torch.zeros(3, 2), torch.zeros(4, 2, dtype=torch.int64))
    with pytest.raises(ValueError, match="targets"):
        model(torch.zeros(3, 2, dtype=torch.int64))
    with pytest.raises(ValueError, match="pred"):
        seq2seq.sequence_accuracy(torch.zeros(3, 2), torch.zeros(4, 2))


# ----------------------------------------------------------------------------- one-to-many


@pytest.mark.parametrize("seed", SEEDS)
def test_one_to_many_memorises_the_training_pairs(seed):
    held_out, seen = ch06.progression_pairs()
    gen = ch06.fit_progression(seen, seed=seed)
    acc = {}
    for name, group in (("seen", seen), ("held", held_out)):
        v, target = map(torch.as_tensor, seq2seq.progression_batch(group, 8))
        out = gen.generate(v, 8)
        acc[name] = seq2seq.sequence_accuracy(out, target)
        acc[name + " first"] = (out[0] == target[0]).float().mean().item()
    assert acc["seen"] > 0.9, acc
    assert acc["held"] < 0.3, acc
    assert acc["held first"] > 0.8, acc


def test_every_digit_step_addition_occurs_in_the_training_pairs():
    # The exercise's solution: a decoder fed d at every step needs only the 100
    # additions (digit, d) -> digit + d, and almost all of them occur in the 80 pairs.
    _, seen = ch06.progression_pairs()
    _, seq = seq2seq.progression_batch(seen, 8)  # (8, 80)
    d = np.broadcast_to(seen[:, 1], seq[:-1].shape)
    n_seen = len(set(zip(seq[:-1].ravel(), d.ravel(), strict=True)))
    assert 90 <= n_seen < 100, n_seen  # all but a few; not all (the solution says so)


# ----------------------------------------------------------------------------- forecasting


@pytest.mark.parametrize("seed", SEEDS)
def test_gru_forecast_far_below_persistence_and_near_the_noise_floor(seed):
    r = ch06.forecast(seed=seed)
    assert r["mse"] < 0.5 * r["mse_persist"], r["mse"]
    assert r["noise_floor"] <= r["mse"] < 3 * r["noise_floor"], r["mse"]


# ----------------------------------------------------------------------------- linear recurrence


def test_parallel_scan_equals_the_loop_and_the_closed_form():
    rng = np.random.default_rng(1)
    T, H = 13, 4
    a = rng.uniform(0.3, 1.0, size=(T, H))  # (T, H)
    b = rng.normal(size=(T, H))  # (T, H)
    loop = scan.linear_recurrence(a, b)
    closed = np.stack(
        [sum(np.prod(a[s + 1 : t + 1], axis=0) * b[s] for s in range(t + 1)) for t in range(T)]
    )  # (T, H)
    np.testing.assert_allclose(loop, closed, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(scan.parallel_scan(a, b), loop, rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------- variable lengths


def test_unmasked_ceiling_matches_brute_force():
    """unmasked_ceiling: the Bayes accuracy from the padded bits alone, by enumeration."""
    import itertools
    from collections import defaultdict

    lo, hi = 2, 7
    joint = defaultdict(float)  # (padded string, label) -> probability
    for L in range(lo, hi + 1):
        for bits in itertools.product((0, 1), repeat=L):
            joint[bits + (0,) * (hi - L), bits[-1]] += 2.0**-L / (hi - lo + 1)
    best = defaultdict(float)
    for (obs, _), p in joint.items():
        best[obs] = max(best[obs], p)
    assert ch06.unmasked_ceiling(lo, hi) == pytest.approx(sum(best.values()))


def test_last_bit_batch_pads_with_zeros_after_each_end():
    x, lengths, labels = ch06.last_bit_batch(50, np.random.default_rng(0))
    for b in range(50):
        assert (x[lengths[b]:, b] == 0).all()
        assert labels[b] == x[lengths[b] - 1, b, 0]


def test_masked_mean_counts_real_steps_only():
    losses = np.ones((6, 2))
    losses[3:, 0] = 100.0  # padding after length 3 must not count
    assert ch06.masked_mean(losses, [3, 6]) == 1.0


def test_packed_final_state_is_each_sequences_own():
    torch.manual_seed(0)
    rnn = torch.nn.RNN(1, 5)
    x, lengths, _ = ch06.last_bit_batch(6, np.random.default_rng(1))
    x_t, len_t = torch.as_tensor(x), torch.as_tensor(lengths)
    with torch.no_grad():
        out, _ = rnn(x_t)
        packed = torch.nn.utils.rnn.pack_padded_sequence(x_t, len_t, enforce_sorted=False)
        _, h_n = rnn(packed)
    torch.testing.assert_close(h_n[0], out[len_t - 1, torch.arange(6)])


def _pad_accuracies(seed, **kwargs):
    torch.set_num_threads(1)
    return (ch06.fit_padded_classifier(True, seed, **kwargs),
            ch06.fit_padded_classifier(False, seed, **kwargs))


PAD_SE = 0.5 / np.sqrt(2000)  # standard error of an accuracy near 1/2 on 2000 strings


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_packed_classifier_learns_the_last_bit_unmasked_stays_at_its_ceiling(seed):
    """Variable-length batches: packed near 1; across the padding at most the ceiling
    (300 steps at lr 1e-2, the chapter's setting), five seeds."""
    masked, plain = _pad_accuracies(seed)
    assert masked > 0.98, masked
    assert plain < ch06.unmasked_ceiling() + 4 * PAD_SE, plain
    assert masked > plain + 0.3


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("lr_factor", [0.3, 3.0])
def test_the_padding_gap_survives_more_steps_and_other_learning_rates(lr_factor, seed):
    """The same with three times the steps and the learning rate x0.3 and x3."""
    masked, plain = _pad_accuracies(seed, steps=900, lr=lr_factor * 1e-2)
    assert masked > 0.98, masked
    assert plain < ch06.unmasked_ceiling() + 4 * PAD_SE, plain
