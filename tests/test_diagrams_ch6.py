"""Chapter 6's diagrams: the bidirectional RNN and the encoder-decoder, by counted elements."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from rnn_book.diagrams import (  # noqa: E402
    count_elements,
    draw_bidirectional,
    draw_encoder_decoder,
)


@pytest.mark.parametrize("steps", [1, 4])
def test_bidirectional_has_two_rows_running_opposite_ways(steps):
    c = count_elements(draw_bidirectional(steps=steps))
    assert c["node:x"] == c["node:y"] == steps
    assert c["node:h"] == 2 * steps  # a forward and a backward state per step
    assert c["arrow:in"] == 2 * steps and c["arrow:out"] == 2 * steps
    assert c["arrow:rec"] == c["arrow:recb"] == steps - 1
    plt.close("all")


@pytest.mark.parametrize("free_running", [False, True])
def test_encoder_decoder_teacher_forcing_or_free_running(free_running):
    c = count_elements(draw_encoder_decoder(src_steps=3, tgt_steps=4, free_running=free_running))
    assert c["node:h"] == 7 and c["node:x"] == 7 and c["node:y"] == 4
    assert c["arrow:summary"] == 1 and c["arrow:rec"] == 2 + 3
    fed = "arrow:feedback" if free_running else "arrow:teacher"
    other = "arrow:teacher" if free_running else "arrow:feedback"
    assert c[fed] == 3 and c[other] == 0  # every decoder input after the start token
    plt.close("all")


def test_diagram_arguments_are_checked():
    with pytest.raises(ValueError, match="steps"):
        draw_bidirectional(steps=0)
    with pytest.raises(ValueError, match="tgt_steps"):
        draw_encoder_decoder(tgt_steps=0)
