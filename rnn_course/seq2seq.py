"""Encoder-decoders and a vector-to-sequence generator, for chapter 6.

Three small models that all follow the library's contract
``forward(x, targets=None) -> (logits, loss)``, so that
:func:`rnn_course.train.train_sequence_model` trains them unchanged:

- :class:`EncoderDecoder`: a GRU encoder whose final state starts a GRU
  decoder (Sutskever et al. 2014; Cho et al. 2014), optionally with
  dot-product attention over all encoder states (Luong et al. 2015);
- :class:`VectorToSequence`: a GRU language model whose initial state is set
  from a feature vector (the one-to-many configuration of image captioning);
- the toy tasks they are trained on, :func:`reverse_batch` and
  :func:`progression_batch`.

Teacher forcing is built in: with ``targets`` given, the decoder reads the
correct previous token (``<s>`` first), so all output steps are computed in
one call. :meth:`EncoderDecoder.greedy` and :meth:`VectorToSequence.generate`
decode free-running, feeding each arg max back in.

Time-major, like the rest of the library: token ids ``(L, B)``.
See chapter 6, Applications (encoder-decoder, one-to-many).
"""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "BOS",
    "EOS",
    "VOCAB_SIZE",
    "reverse_batch",
    "progression_batch",
    "shift_right",
    "sequence_accuracy",
    "EncoderDecoder",
    "VectorToSequence",
]

BOS, EOS = 10, 11  # start and end tokens after the digits 0-9
VOCAB_SIZE = 12


def reverse_batch(n, L, rng):
    """Digit strings and their reversals followed by ``</s>``.

    Parameters
    ----------
    n : int
        Number of strings B.
    L : int
        Length of each source string.
    rng : numpy.random.Generator

    Returns
    -------
    src : ndarray, shape (L, n), int64
        Digits 0-9.
    target : ndarray, shape (L + 1, n), int64
        ``src`` reversed, then :data:`EOS`.
    """
    if L < 1:
        raise ValueError(f"L: expected a length >= 1, got {L!r}")
    src = rng.integers(0, 10, size=(L, n))  # (L, n)
    target = np.concatenate([src[::-1], np.full((1, n), EOS)])  # (L + 1, n)
    return src.astype(np.int64), target.astype(np.int64)


def progression_batch(pairs, K=8):
    """Feature vectors and digit sequences ``a, a + d, a + 2d, ...`` modulo 10.

    Parameters
    ----------
    pairs : ndarray, shape (n, 2), int
        Start digit ``a`` and step ``d`` of each sequence, both in 0-9.
    K : int, default 8
        Digits per sequence.

    Returns
    -------
    feats : ndarray, shape (n, 20), float32
        One-hot ``a`` followed by one-hot ``d``: the "image".
    seq : ndarray, shape (K, n), int64
        The "caption".
    """
    pairs = np.asarray(pairs)
    if pairs.ndim != 2 or pairs.shape[1] != 2:
        raise ValueError(f"pairs: expected shape (n, 2), got {pairs.shape}")
    a, d = pairs[:, 0], pairs[:, 1]  # (n,) each
    one_hot = np.eye(10, dtype=np.float32)
    feats = np.concatenate([one_hot[a], one_hot[d]], axis=1)  # (n, 20)
    seq = (a[None] + d[None] * np.arange(K)[:, None]) % 10  # (K, n)
    return feats, seq.astype(np.int64)


def shift_right(targets, bos=BOS):
    """Decoder inputs for teacher forcing: ``<s>``, then ``targets[:-1]``.

    Parameters
    ----------
    targets : Tensor, shape (L, B), int64

    Returns
    -------
    Tensor, shape (L, B)
    """
    start = torch.full_like(targets[:1], bos)  # (1, B)
    return torch.cat([start, targets[:-1]])  # (L, B)


def sequence_accuracy(pred, targets):
    """Share of columns where every token is right.

    Parameters
    ----------
    pred, targets : Tensor, shape (L, B)

    Returns
    -------
    float
    """
    if pred.shape != targets.shape:
        raise ValueError(
            f"pred: expected the shape of targets {tuple(targets.shape)}, got {tuple(pred.shape)}"
        )
    return (pred == targets).all(0).float().mean().item()


def _cross_entropy(logits, targets):
    V = logits.shape[-1]
    return F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))


class EncoderDecoder(nn.Module):
    """A GRU encoder and a GRU decoder, with optional dot-product attention.

    Parameters
    ----------
    vocab_size : int, default :data:`VOCAB_SIZE`
        V, shared by source and target (one embedding).
    embedding_dim : int, default 16
        E.
    hidden_size : int, default 64
        H, of both GRUs.
    attention : bool, default False
        Without attention the decoder sees the source only through its initial
        state ``s_0 = z = h^enc_T``. With attention, every decoder step also
        reads a weighted average of all encoder states.

    Attributes
    ----------
    embed : nn.Embedding (V, E)
    encoder, decoder : nn.GRU
    W_c : nn.Linear (2H -> H), only with attention
    W_hy : nn.Linear (H -> V)

    Notes
    -----
    ``z = h^enc_T``, ``s_0 = z``, ``s_k = GRU(s_{k-1}, y_{k-1})``. With attention
    (Luong et al. 2015, dot score), for decoder state ``s_k`` and encoder states
    ``h_1..h_L``::

        alpha_kj = softmax_j(s_k . h_j),  a_k = sum_j alpha_kj h_j,
        o_k = tanh(W_c [s_k; a_k]),       logits_k = W_hy o_k.

    Without attention ``o_k = s_k``. ``forward(src, targets)``: ``src`` (L, B),
    ``targets`` (L', B) int64 -> ``(logits (L', B, V), loss)``, the loss being
    the mean cross-entropy over the L' x B target tokens.
    """

    def __init__(self, vocab_size=VOCAB_SIZE, embedding_dim=16, hidden_size=64, attention=False):
        super().__init__()
        self.config = dict(
            vocab_size=vocab_size,
            embedding_dim=embedding_dim,
            hidden_size=hidden_size,
            attention=attention,
        )
        self.embed = nn.Embedding(vocab_size, embedding_dim)
        self.encoder = nn.GRU(embedding_dim, hidden_size)
        self.decoder = nn.GRU(embedding_dim, hidden_size)
        if attention:
            self.W_c = nn.Linear(2 * hidden_size, hidden_size)
        self.W_hy = nn.Linear(hidden_size, vocab_size)

    def encode(self, src):
        """Encoder states (L, B, H) and the summary ``z`` (1, B, H)."""
        if not torch.is_tensor(src) or src.dtype != torch.int64 or src.dim() != 2:
            raise TypeError(f"src: expected an int64 tensor of token ids (L, B), got {src!r:.80}")
        enc, z = self.encoder(self.embed(src))  # (L, B, H), (1, B, H)
        return enc, z

    def attend(self, s, enc):
        """Attention weights (L', B, L) and read-out states (L', B, H)."""
        scores = torch.einsum("kbh,jbh->kbj", s, enc)  # (L', B, L)
        alpha = torch.softmax(scores, dim=-1)  # (L', B, L)
        a = torch.einsum("kbj,jbh->kbh", alpha, enc)  # (L', B, H)
        return alpha, torch.tanh(self.W_c(torch.cat([s, a], -1)))  # (L', B, H)

    def decode(self, dec_in, state, enc):
        """Logits (L', B, V) and the decoder state after reading ``dec_in``."""
        s, state = self.decoder(self.embed(dec_in), state)  # (L', B, H)
        if self.config["attention"]:
            s = self.attend(s, enc)[1]
        return self.W_hy(s), state

    def forward(self, src, targets=None):
        enc, z = self.encode(src)
        if targets is None:
            raise ValueError("targets: teacher forcing needs the targets; use greedy() to decode")
        logits, _ = self.decode(shift_right(targets), z, enc)  # (L', B, V)
        return logits, _cross_entropy(logits, targets)

    @torch.no_grad()
    def greedy(self, src, max_len):
        """Decode ``max_len`` tokens, each step reading its own previous guess.

        Returns
        -------
        Tensor, shape (max_len, B), int64
        """
        enc, state = self.encode(src)
        token = torch.full((1, src.shape[1]), BOS)  # (1, B)
        out = []
        for _ in range(max_len):
            logits, state = self.decode(token, state, enc)  # (1, B, V)
            token = logits.argmax(-1)  # (1, B): the guess is fed back
            out.append(token)
        return torch.cat(out)  # (max_len, B)


class VectorToSequence(nn.Module):
    """A GRU language model started from a feature vector: one-to-many.

    Parameters
    ----------
    n_features : int
        Size of the feature vector ``v``.
    hidden_size : int, default 64
    embedding_dim : int, default 16
    n_tokens : int, default 10
        Output vocabulary (digits); the input vocabulary adds ``<s>``.

    Notes
    -----
    ``h_0 = tanh(W_v v + b_v)`` (the CS231n captioning variant; Show and Tell
    instead feeds the image features once as the first input). Then a GRU
    reads ``<s>, y_1, y_2, ...`` and ``W_hy`` predicts the next token.
    ``forward(v, targets)``: ``v`` (B, n_features), ``targets`` (K, B) ->
    ``(logits (K, B, n_tokens), loss)``.
    """

    def __init__(self, n_features, hidden_size=64, embedding_dim=16, n_tokens=10):
        super().__init__()
        self.config = dict(
            n_features=n_features,
            hidden_size=hidden_size,
            embedding_dim=embedding_dim,
            n_tokens=n_tokens,
        )
        self.W_v = nn.Linear(n_features, hidden_size)
        self.embed = nn.Embedding(max(n_tokens, BOS) + 1, embedding_dim)  # tokens and <s>
        self.rnn = nn.GRU(embedding_dim, hidden_size)
        self.W_hy = nn.Linear(hidden_size, n_tokens)

    def initial_state(self, v):
        """``h_0`` (1, B, H) from the feature vectors ``v`` (B, n_features)."""
        if v.dim() != 2 or v.shape[1] != self.config["n_features"]:
            raise ValueError(
                f"v: expected shape (B, {self.config['n_features']}), got {tuple(v.shape)}"
            )
        return torch.tanh(self.W_v(v))[None]  # (1, B, H)

    def forward(self, v, targets=None):
        if targets is None:
            raise ValueError("targets: teacher forcing needs the targets; use generate()")
        out, _ = self.rnn(self.embed(shift_right(targets)), self.initial_state(v))  # (K, B, H)
        logits = self.W_hy(out)  # (K, B, n_tokens)
        return logits, _cross_entropy(logits, targets)

    @torch.no_grad()
    def generate(self, v, length):
        """Greedy generation of ``length`` tokens, (length, B) int64."""
        h = self.initial_state(v)
        token, out = torch.full((1, v.shape[0]), BOS), []
        for _ in range(length):
            o, h = self.rnn(self.embed(token), h)  # (1, B, H)
            token = self.W_hy(o).argmax(-1)  # (1, B)
            out.append(token)
        return torch.cat(out)  # (length, B)
