"""The wire between the grader and the learner process: frames of JSON and ``.npy`` data.

A frame is ``[uint64 length][uint32 header length][header JSON][blob][blob]...``;
the header lists the blob sizes. Values are encoded as JSON with tagged objects:

- ``None``, ``bool``, ``int``, ``float``, ``str`` and lists as themselves;
- ``{"__t": "nd", "b": i}``: an ndarray (numeric or bool dtype) saved with
  ``np.save(allow_pickle=False)`` into blob ``i``; ``"sc"`` a NumPy scalar (a 0-d array);
- ``{"__t": "tuple" | "dict" | "bytes" | "complex" | "handle", ...}``.

Nothing is ever unpickled: the grader decodes what the learner process sends with
``np.load(allow_pickle=False)``, checks every dtype and size, and rebuilds plain
Python and NumPy objects, so a returned value can carry data and nothing else.
"""

import io
import json
import os
import select
import struct
import time

import numpy as np

MAX_FRAME = 64 * 2**20  # bytes in one message; more is refused (a memory flood)
MAX_HEADER = 8 * 2**20  # bytes of JSON in one message (arrays travel as blobs)
MAX_DEPTH = 64  # nesting of lists/dicts/tuples
DATA_KINDS = "biufc"  # bool, int, uint, float, complex


class WireError(Exception):
    """A malformed or oversized message (from the learner process: it never reaches a verdict)."""


class WireTimeout(Exception):
    """The deadline passed before a whole message arrived."""


class NotData(TypeError):
    """A value that cannot travel as data (the grader sends only data)."""


class Handle:
    """An object that stayed in the learner process, named by its number there.

    Pass it back as an argument and the learner process receives the original object.
    """

    __slots__ = ("id", "type_name", "session", "generation")

    def __init__(self, id, type_name, session=None, generation=0):
        self.id, self.type_name, self.session, self.generation = id, type_name, session, generation

    def __repr__(self):
        return f"<learner {self.type_name} #{self.id}>"


# ------------------------------------------------------------------ encoding


def encode(value, blobs, handle_of=None, depth=0):
    """JSON-able form of ``value``; arrays are appended to ``blobs``.

    ``handle_of(obj) -> dict`` turns any other object into a handle (learner side);
    without it such an object raises ``NotData`` (grader side).
    """
    if depth > MAX_DEPTH:
        if handle_of is None:
            raise NotData("value nested too deeply")
        return handle_of(value)
    if value is None or type(value) in (bool, int, str):
        return value
    if type(value) is float:
        finite = value == value and abs(value) != float("inf")
        return value if finite else {"__t": "f", "v": repr(value)}
    if isinstance(value, np.ndarray) and value.dtype.kind in DATA_KINDS and not value.dtype.fields:
        return {"__t": "nd", "b": _blob(np.array(value, copy=True, subok=False), blobs)}
    if isinstance(value, np.generic) and np.dtype(type(value)).kind in DATA_KINDS:
        return {"__t": "sc", "b": _blob(np.array(value), blobs)}
    if type(value) is complex:
        return {"__t": "complex", "re": encode(value.real, blobs), "im": encode(value.imag, blobs)}
    if type(value) is bytes:
        return {"__t": "bytes", "b": _raw(value, blobs)}
    if type(value) is Handle:
        return {"__t": "handle", "id": value.id}
    if type(value) is list:
        return [encode(v, blobs, handle_of, depth + 1) for v in value]
    if type(value) is tuple:
        return {"__t": "tuple", "v": [encode(v, blobs, handle_of, depth + 1) for v in value]}
    if type(value) is dict and all(type(k) is str for k in value):
        return {
            "__t": "dict",
            "k": list(value),
            "v": [encode(v, blobs, handle_of, depth + 1) for v in value.values()],
        }
    if handle_of is None:
        raise NotData(f"a {type(value).__name__} cannot be sent to the learner process as data")
    return handle_of(value)


def _raw(data, blobs):
    blobs.append(bytes(data))
    return len(blobs) - 1


def _blob(array, blobs):
    if array.nbytes > MAX_FRAME:
        raise WireError(f"an array of {array.nbytes:,} bytes (the limit is {MAX_FRAME:,})")
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return _raw(buf.getvalue(), blobs)


# ------------------------------------------------------------------ decoding


def decode(obj, blobs, handle=None, depth=0):
    """Rebuild a value from ``encode``'s form; raise ``WireError`` on anything unexpected.

    ``handle(id) -> object`` resolves handles (learner side: the original object;
    grader side: a ``proxy.Handle``).
    """
    if depth > MAX_DEPTH + 1:
        raise WireError("value nested too deeply")
    if obj is None or type(obj) in (bool, int, float, str):
        return obj
    if type(obj) is list:
        return [decode(v, blobs, handle, depth + 1) for v in obj]
    if type(obj) is not dict:
        raise WireError(f"unexpected {type(obj).__name__} in a message")
    tag = obj.get("__t")
    if tag == "nd" or tag == "sc":
        array = _array(_take(blobs, obj.get("b")))
        return array if tag == "nd" else array[()]
    if tag == "f":
        if obj.get("v") not in ("nan", "inf", "-inf"):
            raise WireError("bad float")
        return float(obj["v"])
    if tag == "tuple":
        return tuple(decode(v, blobs, handle, depth + 1) for v in _list(obj.get("v")))
    if tag == "dict":
        keys, values = _list(obj.get("k")), _list(obj.get("v"))
        if len(keys) != len(values) or not all(type(k) is str for k in keys):
            raise WireError("bad dict")
        return {k: decode(v, blobs, handle, depth + 1) for k, v in zip(keys, values, strict=True)}
    if tag == "bytes":
        return bytes(_take(blobs, obj.get("b")))
    if tag == "complex":
        re, im = decode(obj.get("re"), blobs), decode(obj.get("im"), blobs)
        if type(re) is not float or type(im) is not float:
            raise WireError("bad complex")
        return complex(re, im)
    if tag == "handle" and handle is not None:
        if type(obj.get("id")) is not int:
            raise WireError("bad handle")
        return handle(obj["id"], str(obj.get("type", "object"))[:80])
    raise WireError(f"unknown value tag {str(tag)[:40]!r}")


def _list(v):
    if type(v) is not list:
        raise WireError("expected a list")
    return v


def _take(blobs, i):
    if type(i) is not int or not 0 <= i < len(blobs):
        raise WireError("bad blob index")
    return blobs[i]


def _array(data):
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except Exception as exc:
        raise WireError(f"not an .npy array: {type(exc).__name__}") from None
    if type(array) is not np.ndarray or array.dtype.kind not in DATA_KINDS or array.dtype.fields:
        raise WireError("an array of a non-numeric dtype")
    return array


# ------------------------------------------------------------------ frames


def pack(header, blobs=()):
    """One frame: the header dict (its "blobs" field is set here) and the blobs."""
    header = dict(header, blobs=[len(b) for b in blobs])
    head = json.dumps(header).encode()
    body = struct.pack(">I", len(head)) + head + b"".join(blobs)
    if len(body) > MAX_FRAME:
        raise WireError(f"message of {len(body):,} bytes is over the {MAX_FRAME:,}-byte limit")
    return struct.pack(">Q", len(body)) + body


def unpack(body):
    """(header dict, blobs) of a frame body; ``WireError`` when malformed."""
    if len(body) < 4:
        raise WireError("short message")
    (n,) = struct.unpack(">I", body[:4])
    if n > MAX_HEADER:
        raise WireError(f"a message header of {n:,} bytes (over the {MAX_HEADER:,}-byte limit)")
    try:
        header = json.loads(body[4 : 4 + n].decode())
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise WireError("message header is not JSON") from None
    if type(header) is not dict or type(header.get("blobs")) is not list:
        raise WireError("bad message header")
    sizes, blobs, at = header["blobs"], [], 4 + n
    for size in sizes:
        if type(size) is not int or size < 0 or at + size > len(body):
            raise WireError("bad blob size")
        blobs.append(body[at : at + size])
        at += size
    if at != len(body):
        raise WireError("trailing bytes in a message")
    return header, blobs


def write_frame(fd, frame):
    view = memoryview(frame)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def read_exact(fd, n, deadline=None):
    """``n`` bytes from ``fd``; ``EOFError`` when it closes, ``WireTimeout`` past ``deadline``."""
    parts, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise WireTimeout()
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                raise WireTimeout()
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise EOFError()
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def read_frame(fd, deadline=None):
    (n,) = struct.unpack(">Q", read_exact(fd, 8, deadline))
    if n > MAX_FRAME:
        raise WireError(f"a message of {n:,} bytes (over the {MAX_FRAME:,}-byte limit)")
    return unpack(read_exact(fd, n, deadline))
