"""The embedded Reber grammar: a generator of strings and a parser that scores predictions.

See chapter 5, LSTM and GRU (a long-lag test from Hochreiter & Schmidhuber 1997).
"""

from .._validate import check_rng, positive_int

__all__ = ["REBER_SYMBOLS", "embedded_reber", "reber_next_symbols", "is_embedded_reber"]


# Reber grammar: state -> list of (symbol, next state); state 6 emits E and ends.
REBER_SYMBOLS = "BTSXPVE"
_REBER = {
    1: [("T", 2), ("P", 3)],
    2: [("S", 2), ("X", 4)],
    3: [("T", 3), ("V", 5)],
    4: [("X", 3), ("S", 6)],
    5: [("P", 4), ("V", 6)],
}


def _reber_string(rng):
    out, state = ["B"], 1
    while state != 6:
        sym, state = _REBER[state][rng.integers(2)]
        out.append(sym)
    out.append("E")
    return "".join(out)


def embedded_reber(n, rng):
    """Strings of the embedded Reber grammar.

    Parameters
    ----------
    n : int
        Number of strings.
    rng : numpy.random.Generator

    Returns
    -------
    list of str
        Each string is ``B``, then ``T`` or ``P``, then a Reber string, then the
        same ``T`` or ``P`` again, then ``E``. Every choice is a fair coin flip.
        Symbols come from :data:`REBER_SYMBOLS` (``"BTSXPVE"``).

    Notes
    -----
    Predicting the second-to-last symbol needs the second symbol, remembered
    across the whole inner string: a long-lag test. Hochreiter & Schmidhuber (1997).
    See chapter 5, LSTM and GRU.
    """
    n = positive_int(n, "n")
    rng = check_rng(rng)
    out = []
    for _ in range(n):
        branch = "TP"[rng.integers(2)]
        out.append("B" + branch + _reber_string(rng) + branch + "E")
    return out


def _reber_inner_next(prefix):
    """Allowed next symbols after ``prefix`` of a plain Reber string, or None if invalid."""
    if prefix == "":
        return {"B"}
    if prefix[0] != "B":
        return None
    state = 1
    for i, ch in enumerate(prefix[1:], start=1):
        if state == 6:
            return None if ch != "E" or i != len(prefix) - 1 else set()
        moves = dict(_REBER[state])
        if ch not in moves:
            return None
        state = moves[ch]
    return {"E"} if state == 6 else {s for s, _ in _REBER[state]}


def reber_next_symbols(prefix):
    """Symbols the embedded Reber grammar allows after ``prefix``.

    Parameters
    ----------
    prefix : str
        A prefix of an embedded Reber string.

    Returns
    -------
    set of str or None
        The allowed next symbols (empty set after the final ``E``), or None when
        ``prefix`` is not a prefix of any grammatical string. Use it to score a
        network's next-symbol predictions.
    """
    if not isinstance(prefix, str):
        raise TypeError(f"prefix: expected a str, got {type(prefix).__name__}")
    if prefix == "":
        return {"B"}
    if prefix[0] != "B":
        return None
    if len(prefix) == 1:
        return {"T", "P"}
    branch = prefix[1]
    if branch not in "TP":
        return None
    rest = prefix[2:]
    # rest = inner Reber string (possibly partial) [+ branch [+ "E"]]
    end = rest.find("E")
    if end == -1:
        return _reber_inner_next(rest)
    inner, tail = rest[: end + 1], rest[end + 1 :]
    if _reber_inner_next(inner) != set():
        return None
    if tail == "":
        return {branch}
    if tail == branch:
        return {"E"}
    if tail == branch + "E":
        return set()
    return None


def is_embedded_reber(s):
    """True when ``s`` is a complete string of the embedded Reber grammar."""
    return reber_next_symbols(s) == set()
