"""Tests for the diagrams of chapters 1-3: element counts and bad arguments."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from rnn_book.diagrams import (  # noqa: E402
    count_elements,
    draw_batchify,
    draw_char_lm,
    draw_elman_network,
    draw_shared_weight_gradient,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_elman_network_has_context_units_and_a_copy_arrow():
    c = count_elements(draw_elman_network())
    assert c["node:x"] == c["node:ctx"] == c["node:h"] == c["node:y"] == 1
    assert c["arrow:copy"] == 1 and c["arrow:in"] == 1 and c["arrow:rec"] == 1


@pytest.mark.parametrize("text", ["hello", "ab", "banana"])
def test_char_lm_targets_are_the_inputs_shifted_by_one(text):
    ax = draw_char_lm(text=text)
    c = count_elements(ax)
    steps = len(text) - 1
    assert c["node:x"] == c["node:h"] == c["node:y"] == c["node:target"] == steps
    labels = [t.get_text() for t in ax.texts]
    for t in range(steps):
        assert f"'{text[t]}'" in labels and f"target '{text[t + 1]}'" in labels


def test_char_lm_generation_feeds_each_sample_back():
    c = count_elements(draw_char_lm(text="hello", generate=True))
    assert c["arrow:feedback"] == 3 and c["node:target"] == 0


def test_char_lm_rejects_a_single_character():
    with pytest.raises(ValueError, match="at least 2 characters"):
        draw_char_lm(text="h")


@pytest.mark.parametrize("steps", [1, 3, 5])
def test_shared_weight_collects_one_gradient_per_step_in_numbered_order(steps):
    ax = draw_shared_weight_gradient(steps=steps)
    c = count_elements(ax)
    assert c["node:W"] == 1 and c["node:h"] == steps and c["node:loss"] == steps
    assert c["arrow:grad"] == 3 * steps and c["order"] == 3 * steps
    numbers = sorted(int(t.get_text()) for t in ax.texts if t.get_text().isdigit())
    assert numbers == list(range(1, 3 * steps + 1))


def test_shared_weight_rejects_too_many_steps():
    with pytest.raises(ValueError, match="at most 6"):
        draw_shared_weight_gradient(steps=7)


@pytest.mark.parametrize("B, k", [(3, 4), (2, 5), (4, 2)])
def test_batchify_figure_matches_the_library_layout(B, k):
    text = "the cat sat on the mat; a dog ran"
    fig = draw_batchify(text, B, k)
    c = count_elements(fig.axes[1])
    N = len(text) // B
    assert c["cell"] == N * B
    n_chunks = -(-(N - 1) // k)
    assert c["chunk"] == n_chunks
    assert c["arrow:carry"] == B * (n_chunks - 1)


def test_configurations_annotated_label_T_and_feed_generated_outputs_back():
    from rnn_book.diagrams import draw_configurations_annotated

    fig = draw_configurations_annotated()
    feedback = [count_elements(ax)["arrow:feedback"] for ax in fig.axes]
    assert feedback == [0, 2, 0, 0, 1]  # one-to-many and the decoder generate
    subtitles = [t.get_text() for ax in fig.axes for t in ax.texts if "T_x" in t.get_text()]
    assert len(subtitles) == 5 and "$T_x = 3$, $T_y = 2$" in subtitles[-1]
