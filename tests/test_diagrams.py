"""Tests for rnn_book.diagrams: element counts for several parameter choices, bad arguments."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from rnn_book.diagrams import (  # noqa: E402
    count_elements,
    draw_configurations,
    draw_rolled,
    draw_unrolled,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("steps", [1, 3, 6])
@pytest.mark.parametrize("layers", [1, 2, 3])
def test_unrolled_full_counts(steps, layers):
    c = count_elements(draw_unrolled(steps=steps, layers=layers))
    assert c["node:x"] == steps
    assert c["node:h"] == steps * layers
    assert c["node:h0"] == layers
    assert c["node:y"] == steps
    assert c["arrow:in"] == steps
    assert c["arrow:rec"] == steps * layers  # h_0 -> h_1 included
    assert c["arrow:up"] == steps * (layers - 1)
    assert c["arrow:out"] == steps
    assert c["arrow:grad"] == 0 and c["cut"] == 0 and c["arrow:carry"] == 0


def test_unrolled_without_initial_state():
    c = count_elements(draw_unrolled(steps=4, initial_state=False))
    assert c["node:h0"] == 0
    assert c["arrow:rec"] == 3


@pytest.mark.parametrize(
    ("inputs", "outputs", "n_in", "n_out"),
    [
        ([0], True, 1, 5),  # one-to-many
        (True, [4], 5, 1),  # many-to-one
        ([0, 1, 2], [3, 4], 3, 2),  # encoder-decoder
        (False, [2], 0, 1),
    ],
)
def test_unrolled_input_output_lists(inputs, outputs, n_in, n_out):
    c = count_elements(draw_unrolled(steps=5, inputs=inputs, outputs=outputs))
    assert (c["node:x"], c["arrow:in"]) == (n_in, n_in)
    assert (c["node:y"], c["arrow:out"]) == (n_out, n_out)
    assert c["node:h"] == 5


def test_unrolled_labels_are_mathtext():
    ax = draw_unrolled(steps=2)
    texts = {t.get_text() for t in ax.texts}
    assert {"$x_{1}$", "$h_{2}$", "$h_{0}$", r"$\hat y_{2}$"} <= texts
    ax2 = draw_unrolled(steps=2, labels=False)
    assert not ax2.texts


def test_backward_gradient_arrows_full():
    # Outputs everywhere, one layer, losses: 2 grad arrows per output (L->y, y->h)
    # plus steps-1 along the hidden row.
    c = count_elements(draw_unrolled(steps=4, backward=True, losses=True))
    assert c["node:loss"] == 4 and c["arrow:loss"] == 4
    assert c["arrow:grad"] == 4 * 2 + 3


def test_backward_many_to_one_two_layers():
    c = count_elements(draw_unrolled(steps=5, layers=2, outputs=[4], backward=True))
    # 1 (y->h) + 2 layers * 4 (along rows) + 5 (down between layers)
    assert c["arrow:grad"] == 1 + 8 + 5


def test_backward_only_reaches_states_before_an_output():
    # Output at step index 1 of 4: h_3 and h_4 get no gradient.
    c = count_elements(draw_unrolled(steps=4, outputs=[1], backward=True))
    assert c["arrow:grad"] == 1 + 1


def test_chunks_cut_the_gradient_not_the_state():
    c = count_elements(draw_unrolled(steps=6, chunks=3, backward=True))
    assert c["cut"] == 1
    assert c["arrow:carry"] == 1
    assert c["arrow:rec"] == 6 - 1  # h_0 -> h_1 plus 4 inside chunks
    assert c["arrow:grad"] == 6 + 2 * 2  # y->h per step, 2 row arrows per chunk
    c7 = count_elements(draw_unrolled(steps=7, chunks=2))
    assert c7["cut"] == 3 and c7["arrow:carry"] == 3


def test_show_loop_adds_the_rolled_graph():
    c = count_elements(draw_unrolled(steps=3, show_loop=True, layers=2))
    assert c["arrow:loop"] == 2
    assert c["node:h"] == 3 * 2 + 2
    assert c["node:x"] == 3 + 1


@pytest.mark.parametrize("layers", [1, 2])
def test_rolled_counts(layers):
    ax = draw_rolled(layers=layers, title="rolled")
    c = count_elements(ax)
    assert (c["node:x"], c["node:h"], c["node:y"]) == (1, layers, 1)
    assert c["arrow:loop"] == layers
    assert c["arrow:in"] == 1 and c["arrow:up"] == layers - 1 and c["arrow:out"] == 1
    assert ax.get_title() == "rolled"
    assert any("W_{hh}" in t.get_text() for t in ax.texts)


def test_configurations_has_five_titled_panels():
    fig = draw_configurations()
    axes = fig.get_axes()
    assert len(axes) == 5
    titles = [ax.get_title().strip() for ax in axes]
    assert titles == [
        "one-to-one",
        "one-to-many",
        "many-to-one",
        "many-to-many, aligned",
        "many-to-many, unaligned",
    ]
    outs = [count_elements(ax)["node:y"] for ax in axes]
    ins = [count_elements(ax)["node:x"] for ax in axes]
    assert outs == [1, 3, 1, 3, 2]
    assert ins == [1, 1, 3, 3, 3]


def test_draws_on_given_axes():
    fig, ax = plt.subplots()
    assert draw_unrolled(ax, steps=2) is ax
    assert draw_rolled(ax) is ax
    fig2 = plt.figure()
    assert draw_configurations(fig2) is fig2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"steps": 0}, "steps"),
        ({"layers": 0}, "layers"),
        ({"chunks": 0}, "chunks"),
        ({"steps": 3, "outputs": [3]}, r"outputs.*\[0, 2\]"),
        ({"steps": 3, "inputs": [-1]}, "inputs"),
        ({"steps": 3, "outputs": [1, 1]}, "repeated"),
        ({"outputs": False, "losses": True}, "losses"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        draw_unrolled(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [{"steps": 2.5}, {"steps": True}, {"inputs": "01"}, {"outputs": [0.5]}, {"inputs": 3}],
)
def test_bad_types_raise_type_error(kwargs):
    with pytest.raises(TypeError):
        draw_unrolled(**kwargs)


def test_rolled_rejects_bad_layers():
    with pytest.raises(ValueError, match="layers"):
        draw_rolled(layers=0)
