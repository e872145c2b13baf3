"""The PyTorch reference of lesson 06: one truncated-BPTT training step.

Kept apart from ``reference`` so that grading the NumPy lessons never imports torch.
"""

import torch
from torch import nn


class TinyLM(nn.Module):
    """A small character language model used by the lesson: embedding, RNN, linear head.

    ``forward(x, h)`` takes token ids x (T, B) and a state h (1, B, H) (or None)
    and returns ``(logits, h_next)`` with logits (T, B, V) and h_next (1, B, H).
    """

    def __init__(self, vocab_size=7, hidden_size=8):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, hidden_size)
        self.rnn = nn.RNN(hidden_size, hidden_size)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, h=None):
        out, h_next = self.rnn(self.embed(x), h)  # (T, B, H), (1, B, H)
        return self.head(out), h_next  # (T, B, V), (1, B, H)


def tbptt_train_step(model, optimizer, x, y, h, max_norm):
    """One truncated-BPTT training step on one chunk (lesson 06).

    Parameters
    ----------
    model : torch.nn.Module
        ``model(x, h) -> (logits, h_next)`` with logits (T, B, V).
    optimizer : torch.optim.Optimizer
        Over ``model.parameters()``.
    x, y : LongTensor, shape (T, B)
        Input tokens and the targets (x shifted one step ahead).
    h : Tensor, shape (1, B, H)
        The state carried over from the previous chunk.
    max_norm : float
        Clip the global gradient norm to this before the update.

    Returns
    -------
    loss : float
        Mean cross-entropy over the T·B predictions, before the update.
    h_next : Tensor, shape (1, B, H)
        The final state, detached from the graph: carry it into the next
        chunk, but do not backpropagate into this one again.

    Notes
    -----
    zero the gradients, forward, loss, backward, clip, step; return the
    detached state. See chapter 3, Truncated BPTT, and chapter 6, Applications.
    """
    optimizer.zero_grad()
    logits, h_next = model(x, h)  # (T, B, V), (1, B, H)
    loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    optimizer.step()
    return loss.item(), h_next.detach()
