"""Run the checks of one exercise on a learner's function, in this process.

Never raises: whatever the learner's code does (raises, loops, prints megabytes,
returns nonsense) ends up as a result dict. In process (the notebook's self-check)
the time limit uses SIGALRM, so it works in the main thread of a notebook kernel;
in the graded run ``fn`` is a proxy and the grader enforces the limit from outside.
"""

import contextlib
import signal
import threading
import time

import numpy as np

from .learner.output import MAX_OUTPUT, BoundedOutput, describe_exception, learner_line

__all__ = ["BoundedOutput", "describe_exception", "learner_line", "run_checks"]


class ExerciseTimeout(BaseException):
    """Raised by the alarm; a BaseException, so learner `except Exception` cannot catch it."""


@contextlib.contextmanager
def time_limit(seconds):
    """Raise ExerciseTimeout after ``seconds`` (only in the main thread, where signals arrive)."""
    usable = (
        seconds
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def on_alarm(signum, frame):
        raise ExerciseTimeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def captured_output(limit=MAX_OUTPUT):
    buf = BoundedOutput(limit)
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        yield buf


def _is_proxy(fn):
    from .proxy import LearnerFunction

    return isinstance(fn, LearnerFunction)


def run_checks(exercise, fn, seconds=10.0):
    """Run every check of ``exercise`` on ``fn``; return a JSON-able result dict.

    ``fn`` is either the learner's real function (the notebook's self-check: the
    time limit is SIGALRM, output is captured here) or a ``proxy.LearnerFunction``
    (the graded run: the learner process runs the code, the grader kills it on the
    deadline, its output comes back with every call).
    status: "pass", "fail", "not implemented", "timeout" (all checks share ``seconds``).
    """
    from .proxy import LearnerCrash, LearnerError, NotSendable

    result = {
        "id": exercise.id,
        "lesson": exercise.lesson,
        "status": "pass",
        "tests": [],
        "output": "",
    }
    if not callable(fn):
        result.update(status="fail", message=f"`{exercise.id}` is not a function.")
        return result
    remote = _is_proxy(fn)
    start = time.perf_counter()
    buf = BoundedOutput()
    if remote:
        fn._session.begin(seconds)
        guard = contextlib.nullcontext()
    else:
        guard = contextlib.ExitStack()
        guard.enter_context(time_limit(seconds))
        guard.enter_context(contextlib.redirect_stdout(buf))
        guard.enter_context(contextlib.redirect_stderr(buf))
    try:
        with guard, np.errstate(all="ignore"):  # overflow shows up as a NaN/inf message
            for check in exercise.checks:
                name = (check.__doc__ or check.__name__).strip().splitlines()[0]
                try:
                    check(fn)
                    result["tests"].append({"name": name, "passed": True, "message": ""})
                except NotImplementedError:
                    result.update(status="not implemented", tests=[])
                    result["message"] = (
                        "not implemented yet: fill in the exercise cell (replace the `raise`)."
                    )
                    break
                except AssertionError as exc:
                    result["tests"].append({"name": name, "passed": False, "message": str(exc)})
                except NotSendable as exc:  # the check's own fault
                    message = f"grader error (not your code): {exc}"
                    result["tests"].append({"name": name, "passed": False, "message": message})
                except LearnerError as exc:  # learner code raised, in the learner process
                    result["tests"].append({"name": name, "passed": False, "message": str(exc)})
                except Exception as exc:  # learner code raised: show their line
                    result["tests"].append(
                        {"name": name, "passed": False, "message": describe_exception(exc)}
                    )
    except (ExerciseTimeout, LearnerCrash) as exc:
        if isinstance(exc, ExerciseTimeout) or exc.timeout:
            result.update(status="timeout")
            result["message"] = (
                f"time limit: the checks did not finish in {seconds:g} s "
                f"({len(result['tests'])} of {len(exercise.checks)} done) — an endless loop?"
            )
        else:
            result.update(status="fail", message=str(exc))
    except SystemExit as exc:  # learner code called sys.exit() / exit()
        result.update(
            status="fail", message=f"{describe_exception(exc)} — this stopped the checks."
        )
    result["output"] = fn._session.take_output() if remote else buf.text()
    result["seconds"] = round(time.perf_counter() - start, 3)
    if result["status"] == "pass" and not all(t["passed"] for t in result["tests"]):
        result["status"] = "fail"
    if result["status"] == "pass" and result.get("message"):
        result["status"] = "fail"
    result["passed"] = sum(t["passed"] for t in result["tests"])
    result["total"] = len(exercise.checks)
    return result
