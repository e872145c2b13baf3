"""Chapter 5's cell diagrams (rnn_book.diagrams): element counts and bad arguments."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from rnn_book.diagrams import (  # noqa: E402
    count_elements,
    draw_gru_cell,
    draw_lstm_cell,
    draw_lstm_gradient_paths,
    plot_gate_trace,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("gates", ["i", "if", "ifo", "fo", ""])
def test_lstm_cell_counts(gates):
    c = count_elements(draw_lstm_cell(gates=gates))
    assert c["cell:gate"] == len(gates)
    assert c["cell:layer"] == 1  # the candidate g
    assert c["cell:path"] == 1 and c["cell:box"] == 1
    # + always; x for the forget gate, the input gate and the output gate; tanh(c_t)
    assert c["cell:op"] == 2 + len(gates)


@pytest.mark.parametrize("part", ["forget", "input", "output", "cell"])
def test_lstm_cell_highlight(part):
    c = count_elements(draw_lstm_cell(highlight=part))
    assert c["cell:gate"] == 3


@pytest.mark.parametrize(
    "kwargs", [{"gates": "ix"}, {"gates": "ii"}, {"gates": 3}, {"highlight": "erase"}]
)
def test_lstm_cell_bad_arguments(kwargs):
    with pytest.raises(ValueError, match="gates|highlight"):
        draw_lstm_cell(**kwargs)


def test_gru_cell_counts():
    c = count_elements(draw_gru_cell())
    assert c["cell:gate"] == 2  # r, z
    assert c["cell:layer"] == 2  # W_hn h + b_hn, and the candidate n
    assert c["cell:op"] == 5  # r x (.), z x h, 1 - z, (1 - z) x n, +
    assert c["cell:path"] == 1


@pytest.mark.parametrize("steps", [1, 3, 5])
def test_gradient_paths_counts(steps):
    c = count_elements(draw_lstm_gradient_paths(steps=steps))
    assert c["grad:cell"] == steps
    assert c["grad:weights"] == 2 * steps
    assert c["cell:box"] == steps


@pytest.mark.parametrize("steps", [0, 2.5, True])
def test_gradient_paths_bad_steps(steps):
    with pytest.raises((TypeError, ValueError), match="steps"):
        draw_lstm_gradient_paths(steps=steps)


def test_gate_trace_panels_and_shapes():
    T = 12
    x = np.zeros((T, 2))
    x[[2, 8], 1] = 1
    fig = plot_gate_trace(x, np.zeros(T), np.ones(T), np.linspace(0, 1, T), unit=3)
    assert len(fig.axes) == 3
    with pytest.raises(ValueError, match="x: expected shape"):
        plot_gate_trace(np.zeros((T, 3)), np.zeros(T), np.zeros(T), np.zeros(T))
    with pytest.raises(ValueError, match="f: expected shape"):
        plot_gate_trace(x, np.zeros(T), np.zeros(T + 1), np.zeros(T))
