"""Train the small character model whose weights lesson 02's capstone ships (weights.npz).

Run once by the lesson author: ``python -m rnn_grade.lessons.l02_srn.make_weights``.
The library's NumPy language model (``rnn_course.numpy_lm``, an SRN with 100 hidden
units as in min-char-rnn) is trained with truncated BPTT on the first 90% of the pydoc
corpus; the weights are stored in float16 to keep the file small.
"""

import sys
from pathlib import Path

import numpy as np

from rnn_course.numpy_lm import train_numpy_lm
from rnn_grade.capstone import text_ids

PATH = Path(__file__).with_name("weights.npz")
HIDDEN, STEPS, TRAIN_FRACTION = 100, 3000, 0.9


def main(steps=STEPS):
    vocab, ids = text_ids(None)
    split = int(TRAIN_FRACTION * len(ids))
    out = train_numpy_lm(
        ids[:split], len(vocab), hidden_size=HIDDEN, seq_len=32, batch_size=32, steps=steps,
        lr=0.003, optimizer="adam", clip=5.0, clip_mode="norm", rng=np.random.default_rng(0),
    )  # fmt: skip
    p = out["params"]
    arrays = {k: p[k].astype(np.float16) for k in ("W_ih", "W_hh", "b_ih", "b_hh", "W_hy", "b_hy")}
    arrays["chars"] = np.array(vocab.itos)
    arrays["split"] = np.array(split)
    arrays["train_loss"] = out["loss"][-100:].mean()
    np.savez_compressed(PATH, **arrays)
    print(f"saved {PATH} (last 100 steps: {arrays['train_loss']:.3f} nats per character)")


if __name__ == "__main__":
    main(*map(int, sys.argv[1:]))
