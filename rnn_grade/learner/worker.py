"""The learner process: runs a notebook's setup and exercise cells, then answers calls.

Started by ``bootstrap`` for ``proxy.LearnerSession`` (in bubblewrap, or as the
dedicated learner user). It
reads requests from fd 0 and answers on fd 1 in ``wire`` frames; the learner's
own prints (and anything written to fd 1 or 2) go to the output pipe, which the
grader reads as text. This process holds no checks, no report and no score:
whatever it sends back is a value to compare, never a verdict: after a call it sends
back the arguments as the call left them, and the grader decides whether they were
changed in place. It never imports the lesson checks (they are not even present).

Requests: ``exec`` (a cell's source), ``names`` (callables defined), ``call``
(a learner function, or a trusted harness applied to one), ``reset`` (forget
handles), ``quit``.
"""

import linecache
import os
import sys

from . import blocker, wire
from .output import BoundedOutput, describe_exception


class Server:
    def __init__(self, req_fd, rep_fd):
        self.req_fd, self.rep_fd = req_fd, rep_fd
        self.namespace = {"__name__": "__learner__"}
        self.handles, self.next_handle = {}, 1

    # -- handles
    def handle_of(self, obj):
        n = self.next_handle
        self.next_handle += 1
        self.handles[n] = obj
        return {"__t": "handle", "id": n, "type": type(obj).__name__}

    def resolve(self, n, _type):
        if n not in self.handles:
            raise wire.WireError("a learner object from before a restart (stale handle)")
        return self.handles[n]

    # -- the loop
    def serve(self):
        while True:
            try:
                header, blobs = wire.read_frame(self.req_fd)
            except EOFError:
                return
            op = header.get("op")
            if op == "quit":
                return
            out = BoundedOutput()
            blobs_out = []
            saved = sys.stdout, sys.stderr
            sys.stdout = sys.stderr = out
            try:
                reply = getattr(self, "op_" + str(op))(header, blobs, blobs_out)
            except BaseException as exc:  # noqa: BLE001 - the loop must answer every request
                reply, blobs_out = _failure(exc), []
            finally:
                sys.stdout, sys.stderr = saved
            hit = blocker.take_hit()
            if hit:
                reply, blobs_out = {"ok": False, "kind": "blocked", "message": hit}, []
            reply.update(id=header.get("id"), output=out.text())
            try:
                frame = wire.pack(reply, blobs_out)
            except wire.WireError as exc:
                frame = wire.pack(
                    {"id": header.get("id"), "ok": False, "kind": "error", "message": str(exc)}
                )
            wire.write_frame(self.rep_fd, frame)

    # -- operations
    def op_exec(self, header, blobs, blobs_out):
        source, filename = header["source"], header["filename"]
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        try:
            code = compile(source, filename, "exec")
        except SyntaxError as exc:
            return {
                "ok": False,
                "kind": "syntax",
                "message": f"syntax error on line {exc.lineno} of the cell: {exc.msg} "
                f"→ {(exc.text or '').strip()}",
            }
        exec(code, self.namespace)
        return {"ok": True}

    def op_names(self, header, blobs, blobs_out):
        names = [k for k, v in self.namespace.items() if callable(v) and not k.startswith("__")]
        return {"ok": True, "callables": sorted(names)}

    def op_reset(self, header, blobs, blobs_out):
        self.handles.clear()
        return {"ok": True}

    def op_call(self, header, blobs, blobs_out):
        fn = self.namespace.get(header["name"])
        if not callable(fn):
            return {
                "ok": False,
                "kind": "missing",
                "message": f"your notebook does not define a function named `{header['name']}`",
            }
        args = wire.decode(header["args"], blobs, self.resolve)
        kwargs = wire.decode(header["kwargs"], blobs, self.resolve)
        if header.get("harness"):
            module, _, name = header["harness"].partition(":")
            if not blocker.ALLOWED.match(module) or module == "rnn_grade":
                raise ValueError("a harness must live in the learner side of rnn_grade")
            __import__(module)
            harness = getattr(sys.modules[module], name)
            value, after = harness(fn, *args, **kwargs), None
        else:
            value = fn(*args, **kwargs)
            after = [list(args), kwargs]  # the grader compares them with what it sent
        try:
            return {
                "ok": True,
                "value": wire.encode(value, blobs_out, self.handle_of),
                "after": wire.encode(after, blobs_out, self.handle_of),
            }
        except wire.WireError as exc:
            blobs_out.clear()
            return {
                "ok": False,
                "kind": "error",
                "message": f"your function returned {exc}: too much data",
            }


def _failure(exc):
    if isinstance(exc, NotImplementedError):
        return {"ok": False, "kind": "not_implemented", "message": describe_exception(exc)}
    reply = {
        "ok": False,
        "kind": "error" if isinstance(exc, Exception) else "crash",
        "message": describe_exception(exc),
    }
    if isinstance(exc, NameError) and getattr(exc, "name", None):
        reply["name_error"] = exc.name
    return reply


def main():
    """Entry point inside the learner process: take fds 0 and 1 for the wire, then serve."""
    req, rep = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # fd 1 now goes to the output pipe, like fd 2
    sys.setrecursionlimit(3000)
    Server(req, rep).serve()


if __name__ == "__main__":
    main()
