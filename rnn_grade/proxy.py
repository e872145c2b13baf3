"""The grader's side of the learner process: a proxy for each learner function.

``LearnerSession`` starts one learner process per notebook (``sandbox``), runs
the setup and exercise cells there, and keeps it for every exercise of the
notebook (restarting it only after a crash or a timeout). ``session.function(name)``
is a ``LearnerFunction``: calling it sends the arguments as data and returns
the result as data (``wire``); any other object stays in the learner process
and comes back as a ``Handle``. The grader never runs learner code: it only
decodes arrays (``allow_pickle=False``), numbers, strings and containers.

Errors, as the checks see them:

- the learner's ``NotImplementedError`` -> ``NotImplementedError``;
- any other learner exception -> ``LearnerError`` (an ``Exception``; ``str()`` is
  "your code raised ValueError: ... (line N of your exercise cell → code)");
- ``KeyboardInterrupt``, ``SystemExit``, ``GeneratorExit``, ``os._exit``, a crash,
  a blocked library function or the time limit -> ``LearnerCrash`` (a
  ``BaseException``): it ends that exercise only.
"""

import os
import threading
import time

from .learner import wire
from .learner.wire import Handle, NotData
from .sandbox import LearnerProcess, Limits

__all__ = ["Handle", "LearnerCrash", "LearnerError", "LearnerFunction", "LearnerSession"]

MAX_OUTPUT = 2000  # characters of learner output kept per exercise
STARTUP = 60.0  # extra seconds for the setup cells (importing torch takes a while)
IMPORTS = 20.0  # extra seconds for an exercise cell (its imports)
MAX_MESSAGE = 1000  # characters of a learner-supplied message
HELPER_HINT = "define helpers and imports inside the exercise cell: the grader runs only those"


class LearnerError(Exception):
    """The learner's function raised an ordinary exception; ``str()`` describes it."""


class NotSendable(TypeError):
    """A check tried to send something that is not data (a grader bug, not the learner's)."""


class LearnerCrash(BaseException):
    """The learner process stopped answering (crash, exit, time limit); ends the exercise."""

    def __init__(self, message, timeout=False):
        super().__init__(message)
        self.timeout = timeout


class LearnerFunction:
    """A learner function as the checks see it; call it with data, get data back."""

    def __init__(self, session, name):
        self._session, self.__name__, self.__qualname__ = session, name, name
        self.last_mutated = []

    def __repr__(self):
        return f"<learner function {self.__name__}>"

    def __call__(self, *args, **kwargs):
        value, self.last_mutated = self._session.call(self.__name__, args, kwargs)
        return value

    def sibling(self, name):
        """Another function defined by the same notebook (its own forward, say).

        ``LookupError`` when the graded cells do not define it.
        """
        if name not in self._session.callables:
            raise LookupError(name)
        return LearnerFunction(self._session, name)

    def harness(self, spec, *args, **data):
        """Run the trusted ``"module:function"`` ``harness(fn, **data)`` in the learner process."""
        value, _ = self._session.call(self.__name__, args, data, harness=spec)
        return value


class _Output:
    """A bounded text buffer: keeps ``limit`` characters and counts the rest."""

    def __init__(self, limit=MAX_OUTPUT):
        self.limit, self.parts, self.kept, self.total = limit, [], 0, 0
        self.lock = threading.Lock()

    def add(self, text):
        with self.lock:
            self.total += len(text)
            if self.kept < self.limit:
                piece = text[: self.limit - self.kept]
                self.parts.append(piece)
                self.kept += len(piece)

    def take(self):
        with self.lock:
            out = "".join(self.parts)
            if self.total > self.kept:
                out += (
                    f"\n... [output truncated: {self.total:,} characters printed, first "
                    f"{self.kept:,} shown]"
                )
            self.parts, self.kept, self.total = [], 0, 0
            return out


class LearnerSession:
    """The learner process of one notebook, with its cells already run."""

    def __init__(
        self,
        setup,
        cells,
        *,
        pkg_root,
        sandboxed=True,
        limits=None,
        seconds=10.0,
        helper_names=(),
        hide=(),
    ):
        self.setup, self.cells = setup, list(cells)
        self.pkg_root, self.limits, self.seconds = pkg_root, limits or Limits(), seconds
        self.sandboxed = sandboxed  # never a silent fallback: bwrap, or the learner user
        self.helper_names, self.hide = set(helper_names), list(hide)
        self.process = None
        self.generation = 0
        self.deadline = None
        self.next_id = 1
        self.output = _Output()
        self.setup_error = None
        self.cell_errors = {}  # cell index -> message
        self.fatal = {}  # cell index (or "setup") -> message: cells that killed the process
        self.callables = set()
        self.restarts = 0
        self.cell_seconds = {}  # cell index -> the longest its top level took

    # -- life cycle
    def start(self):
        """Start the learner process and run the setup and exercise cells in it.

        A cell that kills the process (endless loop, ``os._exit``) is remembered and left
        out when the process is started again, so the other cells still run.
        """
        for _ in range(len(self.cells) + 2):
            if self._start_once():
                break
        self.callables = set()
        if self.alive:
            try:
                reply, _ = self._request({"op": "names"}, time.monotonic() + self.seconds)
                names = reply.get("callables")
                if type(names) is list:
                    self.callables = {n for n in names if type(n) is str}
            except LearnerCrash:
                pass
        return self

    def _start_once(self):
        """One start; False when a cell killed the process (it is then left out next time)."""
        self.close()
        self.generation += 1
        self.process = LearnerProcess(
            sandboxed=self.sandboxed, pkg_root=self.pkg_root, limits=self.limits
        )
        self._drain = threading.Thread(
            target=self._drain_output, args=(self.process.proc.stderr,), daemon=True
        )
        self._drain.start()
        self.setup_error, self.cell_errors = self.fatal.get("setup"), {}
        if self.setup.strip() and "setup" not in self.fatal:
            self.setup_error = self._exec(self.setup, "<setup cells>", STARTUP)
            if self.setup_error and not self.alive:
                self.fatal["setup"] = self.setup_error
                return False
        for i, source in enumerate(self.cells):
            took = self.cell_seconds.get(i, 0.0)
            if self.generation > 1 and took > self.seconds and i not in self.fatal:
                # a restart re-runs the cells: one that is slow at top level is not run
                # again, so crashing calls cannot multiply its time (a denial of service)
                self.fatal[i] = (
                    f"this cell's top level ran {took:.0f} s (over the {self.seconds:g} s "
                    "limit), so it is not run again when the learner process restarts"
                )
            if i in self.fatal:
                self.cell_errors[i] = self.fatal[i]
                continue
            t0 = time.monotonic()
            error = self._exec(source, f"<exercise cell {i + 1}>", IMPORTS)
            self.cell_seconds[i] = max(took, time.monotonic() - t0)
            if error:
                self.cell_errors[i] = error
                if not self.alive:
                    self.fatal[i] = error
                    return False
        return True

    @property
    def alive(self):
        return self.process is not None and self.process.proc.poll() is None

    def close(self):
        if self.process is not None:
            try:
                if self.alive:
                    wire.write_frame(self.process.proc.stdin.fileno(), wire.pack({"op": "quit"}))
            except OSError:
                pass
            self.process.kill()
            self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    def _drain_output(self, stream):
        fd = stream.fileno()
        try:
            while True:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return
                self.output.add(chunk.decode("utf-8", errors="replace"))
        except (OSError, ValueError):
            return

    # -- exercises
    def begin(self, seconds=None):
        """Start an exercise: a fresh deadline and output; restart the process if it died."""
        if not self.alive:
            self.restarts += 1
            self.start()
        self.output.take()
        self.deadline = time.monotonic() + (seconds or self.seconds)
        try:
            self._request({"op": "reset"}, self.deadline)
        except LearnerCrash:
            pass

    def take_output(self):
        time.sleep(0.01)  # let the output thread read what is already in the pipe
        return self.output.take()

    def function(self, name):
        return LearnerFunction(self, name)

    # -- requests
    def _exec(self, source, filename, extra=0.0):
        """Run a cell (``seconds + extra`` allowed); None or a message saying why it failed."""
        if not self.alive:
            return "not run: the learner process had stopped"
        try:
            reply, _ = self._request(
                {"op": "exec", "source": source, "filename": filename},
                time.monotonic() + self.seconds + extra,
            )
        except LearnerCrash as exc:
            if exc.timeout:
                return (
                    f"running the cell took longer than {self.seconds + extra:g} s — an endless "
                    "loop at top level?"
                )
            return f"the cell stopped the learner process: {exc}"
        if reply.get("ok") is True:
            return None
        message = _text(reply.get("message"))
        if reply.get("kind") == "syntax":
            return message
        if reply.get("kind") == "blocked":
            return _blocked_message(message)
        return "the cell failed to run: " + self._hint(message, reply.get("name_error"))

    def _hint(self, message, name):
        if type(name) is str and name in self.helper_names:
            where = f"`{name}` is defined in a cell the grader does not run"
            return f"{message} — {where}; {HELPER_HINT}"
        return message

    def call(self, name, args, kwargs, harness=None):
        """(value, mutated) of ``name(*args, **kwargs)`` in the learner process."""
        if not self.alive:
            raise LearnerCrash("the learner process had stopped")
        blobs = []
        try:
            header = {
                "op": "call",
                "name": name,
                "args": wire.encode(tuple(args), blobs),
                "kwargs": wire.encode(dict(kwargs), blobs),
                "harness": harness,
            }
        except NotData as exc:
            raise NotSendable(f"the check sent a non-data argument to `{name}`: {exc}") from None
        for h in _handles(args, kwargs):
            if h.session is not self or h.generation != self.generation:
                raise LearnerError("a learner object from an earlier run of the process")
        deadline = self.deadline or (time.monotonic() + self.seconds)
        reply, blobs = self._request(header, deadline, blobs)
        if reply.get("ok") is True:
            try:
                value = wire.decode(reply.get("value"), blobs, self._handle)
            except wire.WireError as exc:
                raise LearnerError(f"your function returned something unreadable: {exc}") from None
            mutated, after = self._mutated(args, kwargs, reply.get("after"), blobs)
            self._write_back(args, kwargs, mutated, after)
            return value, mutated
        kind, message = reply.get("kind"), _text(reply.get("message"))
        if kind == "not_implemented":
            raise NotImplementedError(message)
        if kind == "blocked":
            raise LearnerCrash(_blocked_message(message))
        if kind == "crash":
            raise LearnerCrash(f"{message} — this stopped the checks")
        raise LearnerError(self._hint(message, reply.get("name_error")))

    def _mutated(self, args, kwargs, after, blobs):
        """(keys, new values) of the arguments the call changed in place, decided here.

        The learner process sends every argument back as the call left it; this process
        compares them with what it sent (its own copies, which learner code never
        touches). Positions are ints, keyword names strs.
        """
        try:
            after = wire.decode(after, blobs, self._handle)
        except wire.WireError:
            return [], []
        if type(after) is not list or len(after) != 2:
            return [], []
        new_args, new_kwargs = after
        if type(new_args) is not list or len(new_args) != len(args):
            return [], []
        keys = [i for i, a in enumerate(args) if not _same(a, new_args[i])]
        if type(new_kwargs) is dict and new_kwargs.keys() == kwargs.keys():
            keys += [k for k, v in kwargs.items() if not _same(v, new_kwargs[k])]
        values = [new_args[k] if type(k) is int else new_kwargs[k] for k in keys]
        return keys, values

    def _write_back(self, args, kwargs, mutated, after):
        """Mirror the learner's in-place changes onto the caller's arguments, as in-process."""
        for key, new in zip(mutated, after, strict=True):
            if type(key) is int and 0 <= key < len(args):
                _assign(args[key], new)
            elif type(key) is str and key in kwargs:
                _assign(kwargs[key], new)

    def _handle(self, n, type_name):
        return Handle(n, type_name, self, self.generation)

    def _request(self, header, deadline, blobs=()):
        """Send one request and read its reply before ``deadline``; kill on timeout or garbage."""
        rid = self.next_id
        self.next_id += 1
        proc = self.process.proc
        try:
            wire.write_frame(proc.stdin.fileno(), wire.pack(dict(header, id=rid), blobs))
            for _ in range(1000):  # frames the learner forged with other ids are skipped
                reply, blobs = wire.read_frame(proc.stdout.fileno(), deadline)
                if reply.get("id") == rid:
                    break
            else:
                raise wire.WireError("no reply")
        except wire.WireTimeout:
            self.process.kill()
            raise LearnerCrash(
                f"time limit: stopped after {self.seconds:g} s — an endless loop?", timeout=True
            ) from None
        except (EOFError, OSError, wire.WireError) as exc:
            code = self._stop()
            why = f": {exc}" if isinstance(exc, wire.WireError) else ""
            raise LearnerCrash(
                f"the learner process ended{why} (exit status {code}; os._exit, a crash, "
                "or a resource limit: memory, CPU time, file size)"
            ) from None
        self.output.add(_text(reply.get("output"), MAX_OUTPUT + 200))
        return reply, blobs

    def _stop(self):
        proc = self.process.proc
        try:
            code = proc.wait(timeout=2)
        except Exception:  # noqa: BLE001
            code = None
        self.process.kill()
        return code


def _handles(args, kwargs):
    stack = [*args, *kwargs.values()]
    while stack:
        v = stack.pop()
        if isinstance(v, Handle):
            yield v
        elif isinstance(v, (list, tuple)):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.values())


def _same(sent, back, depth=0):
    """False when ``back`` shows that the learner changed the mutable ``sent`` in place."""
    import numpy as np

    if depth > wire.MAX_DEPTH:
        return True
    if isinstance(sent, np.ndarray):
        return (
            isinstance(back, np.ndarray)
            and sent.shape == back.shape
            and np.array_equal(sent, back, equal_nan=sent.dtype.kind in "fc")
        )
    if isinstance(sent, dict):
        return (
            isinstance(back, dict)
            and sent.keys() == back.keys()
            and all(_same(sent[k], back[k], depth + 1) for k in sent)
        )
    if isinstance(sent, list):
        return (
            isinstance(back, list)
            and len(sent) == len(back)
            and all(_same(a, b, depth + 1) for a, b in zip(sent, back, strict=True))
        )
    if isinstance(sent, tuple):  # immutable itself; its mutable items may change
        return not isinstance(back, (list, tuple)) or (
            len(sent) == len(back)
            and all(_same(a, b, depth + 1) for a, b in zip(sent, back, strict=True))
        )
    return True  # numbers, strings, handles: nothing to change in place


def _assign(target, new, depth=0):
    """Copy ``new`` into the mutable ``target`` in place (arrays, dicts, lists)."""
    import numpy as np

    if depth > wire.MAX_DEPTH:
        return
    if isinstance(target, np.ndarray) and isinstance(new, np.ndarray):
        if target.shape == new.shape and target.flags.writeable:
            np.copyto(target, new, casting="unsafe")
    elif isinstance(target, dict) and isinstance(new, dict):
        for k in [k for k in target if k not in new]:
            del target[k]
        for k, v in new.items():
            if k in target and isinstance(target[k], (np.ndarray, dict, list)):
                before = target[k]
                _assign(before, v, depth + 1)
                if not (
                    isinstance(before, np.ndarray)
                    and isinstance(v, np.ndarray)
                    and before.shape == v.shape
                ):
                    target[k] = v
            else:
                target[k] = v
    elif isinstance(target, list) and isinstance(new, list):
        target[:] = new


def _text(value, limit=MAX_MESSAGE):
    return value[:limit] if type(value) is str else ""


def _blocked_message(name):
    return (
        f"your code imports `{name}`: the course library is not available to graded code "
        "(only `from rnn_grade import check, hint, solution`); write the function yourself"
    )
