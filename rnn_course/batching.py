"""Cut one long sequence into ordered ``(T, B)`` chunks for truncated BPTT.

A corpus is one long stream of token ids. ``batchify`` lays it out as ``B``
parallel columns, each a contiguous slice of the stream; ``tbptt_chunks`` then
walks down the columns ``seq_len`` rows at a time. Row ``t`` of chunk ``k + 1``
continues exactly where chunk ``k`` stopped, so the hidden state at the end of
one chunk is the right initial state for the next.

Works on 1-D NumPy arrays and 1-D torch tensors alike (only slicing and
``reshape`` touch the data). :func:`lm_stream` is ``batchify`` plus the check
that one chunk of ``seq_len`` steps fits. See chapter 3, Truncated backpropagation through time.
"""

from ._validate import integer_ids, positive_int

__all__ = ["batchify", "tbptt_chunks", "num_chunks", "lm_stream"]


def _ndim(a):
    return len(a.shape)


def batchify(data, batch_size):
    """Lay a 1-D stream out as ``batch_size`` contiguous columns.

    Parameters
    ----------
    data : array or tensor, shape (N_total,)
        The token stream (NumPy array or torch tensor).
    batch_size : int
        Number of columns B.

    Returns
    -------
    stream : array or tensor, shape (N, B)
        ``stream[:, b]`` is ``data[b * N:(b + 1) * N]`` with ``N = N_total // B``;
        the tail that does not fill a whole column is dropped. A view of
        ``data`` (transposed, so not C-contiguous); nothing is copied.

    Notes
    -----
    Column b reads the stream from position ``b N`` onwards, so each column is
    an independent piece of text and the state of column b is carried down it.
    See chapter 3, Truncated backpropagation through time.
    """
    if not hasattr(data, "shape"):
        raise TypeError(f"data: expected a 1-D array or tensor, got {type(data).__name__}")
    batch_size = positive_int(batch_size, "batch_size")
    if _ndim(data) != 1:
        raise ValueError(f"data: expected a 1-D stream (N,), got shape {tuple(data.shape)}")
    n_total = data.shape[0]
    if n_total < 2 * batch_size:
        raise ValueError(
            f"data: too short for batch_size={batch_size}: need at least {2 * batch_size} items "
            f"(2 per column), got {n_total}"
        )
    n = n_total // batch_size
    # (B, N) row-major then transpose: column b is data[b*N:(b+1)*N]
    return data[: n * batch_size].reshape(batch_size, n).T  # (N, B)


def num_chunks(stream, seq_len):
    """Number of ``(x, y)`` chunks that :func:`tbptt_chunks` yields.

    Parameters
    ----------
    stream : array or tensor, shape (N, B)
    seq_len : int
        Chunk length T.

    Returns
    -------
    int
        ``ceil((N - 1) / seq_len)``: the targets need one row more than the inputs.
    """
    seq_len = _check_stream(stream, seq_len)
    n = stream.shape[0] - 1
    return (n + seq_len - 1) // seq_len


def tbptt_chunks(stream, seq_len):
    """Iterate over ordered ``(x, y)`` chunks of a batchified stream.

    Parameters
    ----------
    stream : array or tensor, shape (N, B)
        Output of :func:`batchify`.
    seq_len : int
        Chunk length T (number of time steps BPTT runs through).

    Yields
    ------
    x : array or tensor, shape (T', B)
        Inputs ``stream[s:s + T']``.
    y : array or tensor, shape (T', B)
        Targets ``stream[s + 1:s + 1 + T']``: x shifted one step ahead in time.
        ``T' = seq_len`` except possibly for the last, shorter chunk.

    Notes
    -----
    Chunks come in time order and never overlap, so the final hidden state of
    one chunk is the initial state of the next (carry it, but cut the graph).
    See chapter 3, Truncated backpropagation through time.
    """
    seq_len = _check_stream(stream, seq_len)  # checked now, not at the first next()
    return _chunks(stream, seq_len)


def _chunks(stream, seq_len):
    n = stream.shape[0] - 1
    for s in range(0, n, seq_len):
        t = min(seq_len, n - s)
        yield stream[s : s + t], stream[s + 1 : s + 1 + t]  # (T', B), (T', B)


def _check_stream(stream, seq_len):
    if not hasattr(stream, "shape"):
        raise TypeError(f"stream: expected a 2-D array or tensor, got {type(stream).__name__}")
    seq_len = positive_int(seq_len, "seq_len")
    if _ndim(stream) != 2:
        raise ValueError(f"stream: expected shape (N, B), got shape {tuple(stream.shape)}")
    if stream.shape[0] < 2:
        raise ValueError(
            f"stream: need at least 2 rows (one input and one target step), got {stream.shape[0]}"
        )
    return seq_len


def lm_stream(ids, batch_size, seq_len):
    """Batchify ids for truncated BPTT, checking that one chunk fits.

    Parameters
    ----------
    ids : ndarray or tensor, shape (N,)
    batch_size : int
        Columns B.
    seq_len : int
        Chunk length T.

    Returns
    -------
    stream : same type, shape (N // B, B)
        See :func:`batchify`; iterate with ``tbptt_chunks(stream, seq_len)``.

    Raises
    ------
    ValueError
        When ``seq_len`` is longer than a column (``N // B - 1`` steps).
    TypeError
        When ``ids`` are not integers (floats or bools are no token ids).
    """
    seq_len = positive_int(seq_len, "seq_len")
    integer_ids(ids, "ids")
    stream = batchify(ids, batch_size)  # (N, B)
    if seq_len > stream.shape[0] - 1:
        raise ValueError(
            f"seq_len: {seq_len} is longer than the data allows: {len(ids)} items in "
            f"{batch_size} columns give {stream.shape[0] - 1} steps per column; use a smaller "
            "seq_len or batch_size, or more data"
        )
    return stream
