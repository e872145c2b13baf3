"""Text that ships with Python itself: corpora, a character vocabulary, train/val/test splits.

Nothing is downloaded. :func:`load_corpus` gives ``"pydoc"`` prose or
``"stdlib"`` source code, :func:`load_text_file` reads your own file,
:class:`CharVocab` maps characters to ids, :func:`split_corpus` cuts contiguous
parts. To batch the ids for truncated BPTT use :mod:`rnn_course.batching`
(``lm_stream``, ``tbptt_chunks``). See chapter 2 (an RNN language model),
chapter 3 and chapter 6.
"""

import json
import os
import sysconfig
from collections import namedtuple

import numpy as np

from .._validate import positive_int, read_bounded

__all__ = [
    "CORPORA",
    "STDLIB_MODULES",
    "load_corpus",
    "load_text_file",
    "CharVocab",
    "Split",
    "split_corpus",
]

CORPORA = ("pydoc", "stdlib")

#: Standard-library modules (pure Python, present in every CPython 3.11+) that
#: make up the "stdlib" corpus, in this order.
STDLIB_MODULES = (
    "abc.py",
    "bisect.py",
    "calendar.py",
    "colorsys.py",
    "contextlib.py",
    "copy.py",
    "csv.py",
    "dataclasses.py",
    "difflib.py",
    "fractions.py",
    "functools.py",
    "heapq.py",
    "keyword.py",
    "numbers.py",
    "operator.py",
    "pprint.py",
    "queue.py",
    "random.py",
    "sched.py",
    "shlex.py",
    "statistics.py",
    "string.py",
    "textwrap.py",
    "timeit.py",
    "tokenize.py",
    "types.py",
    "weakref.py",
)


def load_corpus(name, max_chars=None):
    """Load a text corpus that ships with Python itself.

    Parameters
    ----------
    name : {"pydoc", "stdlib"}
        ``"pydoc"``: the English help texts of ``pydoc_data.topics`` (the pages
        ``help("if")`` shows), joined in sorted key order: 464,970 characters
        on Python 3.11 (492,155 on 3.12, 510,586 on 3.13). ``"stdlib"``: the
        source code of the modules in :data:`STDLIB_MODULES`, concatenated in
        that order, capped at 500 000 characters.
    max_chars : int, optional
        Keep only the first ``max_chars`` characters.

    Returns
    -------
    str

    Notes
    -----
    The exact text depends on the Python version (the book is built with
    3.11); within one version it is the same on every machine.
    """
    if name == "pydoc":
        from pydoc_data.topics import topics

        text = "".join(topics[k] for k in sorted(topics))
    elif name == "stdlib":
        root = sysconfig.get_paths()["stdlib"]
        parts = []
        for fname in STDLIB_MODULES:
            path = os.path.join(root, fname)
            if os.path.exists(path):
                parts.append(load_text_file(path))
        text = "".join(parts)[:500_000]
    else:
        raise ValueError(f"name: unknown corpus {name!r}; choose one of {CORPORA}")
    if max_chars is not None:
        text = text[: positive_int(max_chars, "max_chars")]
    return text


MAX_TEXT_BYTES = 256 * 2**20  #: default cap of :func:`load_text_file` (256 MiB)


def load_text_file(path, max_bytes=MAX_TEXT_BYTES):
    """Read a UTF-8 text file, with clear errors.

    Parameters
    ----------
    path : str or os.PathLike
        A regular file (not a device or a pipe).
    max_bytes : int, default 256 MiB
        A longer file raises ``ValueError`` instead of filling memory.

    Returns
    -------
    str
        The whole file (a UTF-8 byte-order mark, if present, is dropped).

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        The file is not valid UTF-8 (the message gives the byte position), is
        empty, is not a regular file, or is longer than ``max_bytes``.
    """
    path = os.fspath(path)
    raw = read_bounded(path, max_bytes, "path")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(
            f"path: {path!r} is not UTF-8 text: byte {e.start} (0x{raw[e.start]:02x}) cannot be "
            "decoded; convert the file to UTF-8 (e.g. `iconv -f latin1 -t utf-8`)"
        ) from None
    if not text:
        raise ValueError(f"path: {path!r} is empty; a corpus needs at least a few characters")
    return text


class CharVocab:
    """Character vocabulary: characters <-> integer ids, with a reserved unknown symbol.

    Id 0 is the unknown symbol :attr:`UNK` (``"\\ufffd"``, the replacement
    character); the characters seen at build time follow in sorted order.

    Parameters
    ----------
    chars : iterable of str
        Single characters (duplicates and ``UNK`` are ignored).

    Examples
    --------
    >>> v = CharVocab.from_text("hello")
    >>> v.decode(v.encode("hole"))
    'hole'
    >>> v.decode(v.encode("help!"))
    'hel\\ufffd\\ufffd'
    """

    UNK = "\ufffd"

    def __init__(self, chars):
        chars = list(chars)
        for c in chars:
            if not isinstance(c, str) or len(c) != 1:
                raise ValueError(f"chars: expected single characters, got {c!r}")
        self.itos = [self.UNK] + sorted(set(chars) - {self.UNK})
        self.stoi = {c: i for i, c in enumerate(self.itos)}

    unk_id = 0

    @classmethod
    def from_text(cls, text):
        """Build the vocabulary of all characters in ``text``."""
        if not isinstance(text, str):
            raise TypeError(f"text: expected a str, got {type(text).__name__}")
        if not text:
            raise ValueError("text: empty; cannot build a vocabulary from no characters")
        return cls(set(text))

    def __len__(self):
        return len(self.itos)

    def __contains__(self, ch):
        return ch in self.stoi

    def __eq__(self, other):
        return isinstance(other, CharVocab) and self.itos == other.itos

    def __repr__(self):
        return f"CharVocab(size={len(self)})"

    def encode(self, text, errors="unk"):
        """Map a string to ids.

        Parameters
        ----------
        text : str
        errors : {"unk", "strict"}
            ``"unk"`` maps unseen characters to :attr:`unk_id`; ``"strict"`` raises.

        Returns
        -------
        ndarray, shape (len(text),), int64
        """
        if not isinstance(text, str):
            raise TypeError(f"text: expected a str, got {type(text).__name__}")
        if errors not in ("unk", "strict"):
            raise ValueError(f"errors: expected 'unk' or 'strict', got {errors!r}")
        if errors == "strict":
            missing = sorted(set(text) - set(self.stoi))
            if missing:
                raise ValueError(
                    f"text: characters not in the vocabulary: {missing[:10]!r}; "
                    "use errors='unk' or rebuild the vocabulary"
                )
        get = self.stoi.get
        return np.fromiter((get(c, 0) for c in text), dtype=np.int64, count=len(text))

    def decode(self, ids):
        """Map ids (any integer sequence, array or 1-D tensor) back to a string.

        Bools and floats are refused (``True`` is not id 1, ``1.7`` is no id).
        """
        ids = np.asarray(ids.tolist() if hasattr(ids, "tolist") else ids)
        if ids.size and (ids.dtype == bool or not np.issubdtype(ids.dtype, np.integer)):
            raise TypeError(f"ids: expected integer ids, got dtype {ids.dtype}")
        if ids.ndim != 1:
            raise ValueError(f"ids: expected a 1-D sequence, got shape {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(
                f"ids: expected ids in [0, {len(self)}), got range [{ids.min()}, {ids.max()}]"
            )
        return "".join(self.itos[i] for i in ids.tolist())

    def to_dict(self):
        """A JSON-serialisable description (``{"itos": [...]}``)."""
        return {"itos": list(self.itos)}

    @classmethod
    def from_dict(cls, d):
        """Inverse of :meth:`to_dict`."""
        itos = d["itos"]
        if not itos or itos[0] != cls.UNK:
            raise ValueError("d: not a CharVocab dict (itos[0] must be the unknown symbol)")
        return cls(itos[1:])

    def save(self, path):
        """Write the vocabulary as JSON."""
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_dict(), f, ensure_ascii=False)

    @classmethod
    def load(cls, path):
        """Read a vocabulary written by :meth:`save`."""
        with open(path, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))


Split = namedtuple("Split", ["train", "val", "test"])


def split_corpus(data, fractions=(0.9, 0.05, 0.05)):
    """Cut a text or id sequence into contiguous train / validation / test parts.

    Parameters
    ----------
    data : str, ndarray or tensor, shape (N,)
    fractions : (float, float, float), default (0.9, 0.05, 0.05)
        Positive parts summing to 1.

    Returns
    -------
    Split
        ``(train, val, test)``: ``data[:a]``, ``data[a:b]``, ``data[b:]``. The
        three are disjoint, in order, and together are exactly ``data``; nothing
        of the held-out tail is seen in training.
    """
    if len(fractions) != 3 or any(not f > 0 for f in fractions):
        raise ValueError(f"fractions: expected three positive numbers, got {fractions!r}")
    if abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(f"fractions: must sum to 1, got {fractions!r} (sum {sum(fractions)})")
    N = len(data)
    a = int(round(N * fractions[0]))
    b = a + int(round(N * fractions[1]))
    if not 0 < a < b < N:
        raise ValueError(f"data: too short ({N} items) to split into three non-empty parts")
    return Split(data[:a], data[a:b], data[b:])
