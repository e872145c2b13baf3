"""Where the learner process runs: a bubblewrap sandbox, or a plain child process.

The sandbox (Debian's ``bwrap``): the system, Python and the venv read-only;
the graded copy of ``rnn_course`` (see ``graded_copy``) in place of the real
package; a fresh empty size-limited tmpfs as working directory, TMPDIR and HOME;
no network (own network namespace, loopback only); its own PID namespace, so
nothing it starts outlives it; nothing else of the machine visible (not the
submissions, not HOME, not the repository). When the grader runs as root, the
learner code runs as ``nobody``. Resource limits (address space, CPU seconds,
file size, processes) are set before any learner code runs; every time limit is
enforced from outside by the grader, which kills the whole process group.

The fallback (no bwrap, or ``--no-sandbox``) is a plain child process with the
same limits, a fresh temporary working directory, a clean environment, the
graded copy first on the import path and the real package's finder removed,
plus a Python audit hook: writes (``open`` modes and ``os.open`` flags) only in
the scratch folder; reads and directory listings only from an allowlist
(scratch, the graded copy, Python and the venv, ``/usr``, ``/lib*``, ``/etc``,
``/dev/null|zero|urandom``, ``/proc/self``), never the real package or the
submissions; no ``os.open`` of a directory and no ``dir_fd`` (relative paths
are judged against the working directory, which stays in scratch); no sockets,
signals to other processes (``os.kill``, ``os.killpg``; pidfd signals are
removed) or new processes. That is weaker and reported as ``"sandbox":
"none"``: audit hooks are no security boundary (``ctypes`` calls libc directly,
around every check), the real files stay on disk, and a process running as
root keeps root's rights (the report says when it did). The sandboxed path is
the one to trust. The grade itself is computed in the grader process from
data on both paths.
"""

import ast
import atexit
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

import rnn_course

from . import lessons as _lessons

PACKAGE_DIR = Path(rnn_course.__file__).resolve().parent  # the course library
GRADER_DIR = Path(__file__).resolve().parent  # this package
NOBODY = 65534
FALLBACK_READABLE = ["/usr", "/lib", "/lib32", "/lib64", "/etc", "/dev/null", "/dev/zero"]
FALLBACK_READABLE += ["/dev/urandom", "/dev/random"]
GRADED_ROOT = "/opt/rnn-grade"  # where the graded copy of the package sits in the sandbox
SCRATCH = "/scratch"


@dataclass(frozen=True)
class Limits:
    """Resource limits of one learner process (defaults fit a laptop)."""

    memory_mb: int = 4096  # address space (torch alone maps ~1.5 GB)
    cpu_seconds: int = 300  # CPU time of the whole learner process
    file_mb: int = 64  # largest file it may write; also the scratch tmpfs size
    procs: int = 64  # processes and threads beyond those its user already runs

    def rlimits(self, uid):
        mb = 2**20
        return {
            "RLIMIT_AS": self.memory_mb * mb,
            "RLIMIT_CPU": self.cpu_seconds,
            "RLIMIT_FSIZE": self.file_mb * mb,
            "RLIMIT_NPROC": _processes_of(uid) + self.procs,
            "RLIMIT_CORE": 0,
        }


def _processes_of(uid):
    n = 0
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if os.stat(f"/proc/{d}").st_uid == uid:
                    n += len(os.listdir(f"/proc/{d}/task"))
            except OSError:
                pass
    return n


# ------------------------------------------------------------------ the graded copy

TRIPWIRE_MODULE = '''"""Tripwires: each library function and class of the graded copy trips."""

HITS = []
MESSAGE = "the course library is not available to graded code"


class BlockedReference(BaseException):
    """Raised by a blocked function; a BaseException, so `except Exception` does not hide it."""


def trip(name):
    HITS.append(name)
    raise BlockedReference(f"{name}: {MESSAGE}")


class Tripwire(type):
    """Metaclass of a library class in the graded copy: using it in any way trips."""

    def __new__(mcs, name, bases, namespace, **kwargs):
        for base in bases:
            if isinstance(base, Tripwire):  # a learner's subclass of a library class
                trip(base._tripwire)
        return super().__new__(mcs, name, bases, namespace)

    def __call__(cls, *args, **kwargs):
        trip(cls._tripwire)

    def __getattr__(cls, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        trip(f"{cls._tripwire}.{attr}")
'''

GRADE_INIT = '''"""rnn_grade while grading: `check` (the self-check) does nothing."""


def check(fn, exercise=None, seconds=None):
    """In the graded run the grader runs the checks itself; this call does nothing."""
    return None


def hint(name):
    """No hints while grading."""
    return None


def solution(name):
    """No solutions while grading."""
    return None
'''

HIDDEN_MODULE = """raise ImportError("the lesson checks are not available to learner code")\n"""

# The learner-side grader infrastructure (``rnn_grade``) that the learner process imports;
# nothing else of the grader is in the graded copy. ``__init__.py`` becomes GRADE_INIT.
KEPT = ("__init__.py", "worker.py", "wire.py", "execution.py", "harnesses.py")


def _trip_call(name):
    call = f"__import__('rnn_course._blocked', fromlist=['trip']).trip({name!r})"
    return ast.parse(call).body


def _trip_function(node, name):
    node.body = _trip_call(name)
    node.decorator_list = []
    node.returns = None
    node.args = ast.arguments(
        posonlyargs=[],
        args=[],
        vararg=ast.arg("args"),
        kwonlyargs=[],
        kw_defaults=[],
        kwarg=ast.arg("kwargs"),
        defaults=[],
    )
    if hasattr(node, "type_params"):
        node.type_params = []
    return node


def _trip_class(node, name):
    src = (
        f"class {node.name}(metaclass=__import__('rnn_course._blocked', "
        f"fromlist=['Tripwire']).Tripwire):\n    _tripwire = {name!r}\n"
    )
    return ast.parse(src).body[0]


def _tripwire_block(body, module):
    out = []
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node = _trip_function(node, f"{module}.{node.name}")
        elif isinstance(node, ast.ClassDef):
            node = _trip_class(node, f"{module}.{node.name}")
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Lambda):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)] or ["<lambda>"]
            node.value = ast.parse(
                f"lambda *a, **k: __import__('rnn_course._blocked', fromlist=['trip'])"
                f".trip({module + '.' + names[0]!r})",
                mode="eval",
            ).body
        elif isinstance(node, ast.If):
            node.body = _tripwire_block(node.body, module)
            node.orelse = _tripwire_block(node.orelse, module)
        elif isinstance(node, ast.Try):
            node.body = _tripwire_block(node.body, module)
            node.orelse = _tripwire_block(node.orelse, module)
            node.finalbody = _tripwire_block(node.finalbody, module)
            for h in node.handlers:
                h.body = _tripwire_block(h.body, module)
        elif isinstance(node, ast.With):
            node.body = _tripwire_block(node.body, module)
        out.append(node)
    return out


def _tripwired(source, module):
    """``source`` with every top-level function and class replaced by a tripwire naming it."""
    tree = ast.parse(source)
    tree.body = _tripwire_block(tree.body, module)
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


@functools.lru_cache(maxsize=16)
def graded_copy(blocked):
    """A folder holding ``rnn_course`` and ``rnn_grade`` for the learner process.

    Graded learner code may import nothing of the course library but ``rnn_grade``
    (whose ``check``/``hint``/``solution`` do nothing here). So in the copy every
    top-level function and class of every ``rnn_course`` module is a tripwire naming
    it; of ``rnn_grade`` only the learner-side infrastructure (``KEPT``: the worker,
    the wire, ``execution``, the harnesses) and each lesson folder's ``harness.py`` are
    there (no checks, mistakes or solutions); no bytecode is copied. ``blocked`` (the
    exercises' ids and references, see ``blocked_names``) keys the cache; every name
    in it is tripwired like the rest.
    """
    root = Path(tempfile.mkdtemp(prefix="rnn-grade-pkg-"))
    atexit.register(shutil.rmtree, root, True)
    dest = root / "rnn_course"
    for src in sorted(PACKAGE_DIR.rglob("*")):
        rel = src.relative_to(PACKAGE_DIR)
        if "__pycache__" in rel.parts or src.suffix in (".pyc", ".pyo") or src.is_symlink():
            continue
        target = dest / rel
        if src.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.suffix != ".py":
            shutil.copyfile(src, target)
            continue
        module = ".".join(("rnn_course",) + rel.with_suffix("").parts)
        source = src.read_text(encoding="utf-8")
        if rel != Path("__init__.py"):  # the package's own __init__: lazy imports only
            source = _tripwired(source, module)
        target.write_text(source, encoding="utf-8")
    (dest / "_blocked.py").write_text(TRIPWIRE_MODULE, encoding="utf-8")
    grader = root / "rnn_grade"
    (grader / "lessons").mkdir(parents=True)
    for name in KEPT:
        source = GRADE_INIT if name == "__init__.py" else (GRADER_DIR / name).read_text("utf-8")
        (grader / name).write_text(source, encoding="utf-8")
    (grader / "lessons" / "__init__.py").write_text("", encoding="utf-8")
    for folder in _lessons.folders().values():
        module = _lessons.module_name(folder)
        package = grader / "lessons" / module.rpartition(".")[2]
        package.mkdir()
        for src in sorted(folder.glob("*.py")):
            if src.name in ("__init__.py", "harness.py"):
                source = src.read_text("utf-8")
            elif src.name in ("checks.py", "mistakes.py"):
                source = HIDDEN_MODULE
            else:  # the solutions, the capstone: tripwires naming them
                source = _tripwired(src.read_text("utf-8"), f"{module}.{src.stem}")
            (package / src.name).write_text(source, encoding="utf-8")
    for p in [root, *root.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    return str(root)


def blocked_names(exercises):
    """Names to block for ``exercises``: each id and each reference function's name."""
    names = set()
    for ex in exercises:
        names.add(ex.id)
        if getattr(ex, "reference", None):
            names.add(ex.reference.split(":")[-1])
    return frozenset(names)


# ------------------------------------------------------------------ the learner command

BOOTSTRAP = r"""
import json, os, resource, sys
cfg = json.loads(sys.argv[1])
if cfg["chown"]:
    os.chown(cfg["scratch"], cfg["uid"], cfg["uid"])
for name, value in cfg["rlimits"].items():
    resource.setrlimit(getattr(resource, name), (value, value))
if cfg["uid"] is not None and os.getuid() != cfg["uid"]:
    os.setgroups([]); os.setgid(cfg["uid"]); os.setuid(cfg["uid"])
os.chdir(cfg["scratch"])
editable = lambda f: "editable" in getattr(f, "__name__", type(f).__name__).lower()
sys.meta_path[:] = [f for f in sys.meta_path if not editable(f)]
sys.path_hooks[:] = [f for f in sys.path_hooks if not editable(f)]
sys.path[:] = [cfg["pkg"]] + [p for p in sys.path if os.path.realpath(p) not in cfg["hide_path"]]
sys.path_importer_cache.clear()
if cfg["audit"]:
    _WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    _DIR_FD = {"os.mkdir": (2,), "os.remove": (1,), "os.rmdir": (1,), "os.rename": (2, 3),
               "os.chmod": (2,), "os.chown": (3,), "os.symlink": (2,), "os.link": (2, 3),
               "os.utime": (3,), "shutil.rmtree": (1,)}
    _CHANGE = {"os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown",
               "os.truncate", "os.symlink", "os.link", "shutil.rmtree", "os.utime"}
    _NEW = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
            "os.fork", "os.forkpty", "pty.spawn"}
    _NET = {"socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"}
    def _guard(event, args, _c=cfg, _rp=os.path.realpath, _s=str, _pid=os.getpid()):
        def under(real, roots):
            return any(real == r or real.startswith(r.rstrip("/") + "/") for r in roots)
        def readable(real):
            if under(real, _c["deny"]) and not under(real, [_c["scratch"], _c["pkg"]]):
                return False
            mine = ["/proc/self", "/proc/thread-self", f"/proc/{_pid}"]
            return under(real, _c["read"] + mine) and not under(real, _c["secret"])
        if event == "open":
            path, mode, flags = args
            if isinstance(path, int):
                return  # an fd this process already holds
            if mode is None:  # os.open: judge by the flags
                writing = bool((flags or 0) & _WRITE)
            else:
                writing = any(c in _s(mode) for c in "wax+")
            plain = os.path.normpath(os.path.join(os.getcwd(), os.fsdecode(path)))
            if mode is not None and not writing and under(plain, _c["allow"]):
                return  # fast path: Python, the venv, the graded copy (read-only here)
            real = _rp(os.fsdecode(path))
            if mode is None and os.path.isdir(real):
                raise PermissionError(f"grading: no directory descriptors (dir_fd): {real}")
            if writing and not (under(real, [_c["scratch"]]) or real == "/dev/null"):
                raise PermissionError(f"grading: writing outside the scratch folder: {real}")
            if not writing and not readable(real):
                raise PermissionError(f"grading: not readable while grading: {real}")
        elif event in ("os.listdir", "os.scandir"):
            path = args[0] if args and args[0] is not None else "."
            if isinstance(path, int) or not readable(_rp(os.fsdecode(path))):
                raise PermissionError(f"grading: {event} outside the readable folders")
        elif event == "os.chdir":
            if isinstance(args[0], int) or not under(_rp(os.fsdecode(args[0])), [_c["scratch"]]):
                raise PermissionError("grading: the working directory stays in scratch")
        elif event in _CHANGE:
            if any(args[i] not in (None, -1) for i in _DIR_FD.get(event, ()) if i < len(args)):
                raise PermissionError(f"grading: {event} with dir_fd")
            for a in args[:2] if event in ("os.rename", "os.link", "os.symlink") else args[:1]:
                if not isinstance(a, (str, bytes, os.PathLike)):
                    raise PermissionError(f"grading: {event} on a file descriptor")
                if not under(_rp(os.fsdecode(a)), [_c["scratch"]]):
                    raise PermissionError(f"grading: {event} outside the scratch folder")
        elif event in ("os.kill", "os.killpg") and args[0] not in (0, _pid):
            raise PermissionError("grading: no signals to other processes")
        elif event in _NET:
            raise PermissionError("grading: no network while grading")
        elif event in _NEW:
            raise PermissionError("grading: no new processes while grading")
    import signal as _signal
    for _m, _n in ((os, "pidfd_open"), (_signal, "pidfd_send_signal")):
        if hasattr(_m, _n):
            delattr(_m, _n)  # signals by pidfd raise no audit event
    sys.addaudithook(_guard)
import rnn_grade.worker as _w
_w.main()
"""


@functools.lru_cache(maxsize=1)
def bwrap_problem():
    """None when bubblewrap starts here; else the reason it does not."""
    exe = shutil.which("bwrap")
    if exe is None:
        return "bubblewrap (bwrap) is not installed"
    problem = None
    for attempt in range(3):  # a busy machine can fail one start; three say it cannot
        try:
            proc = subprocess.run(
                [exe, *_bwrap_flags(), "--", sys.executable, "-I", "-c", "print('ok')"],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            problem = f"bwrap cannot start: {exc}"
        else:
            if proc.returncode == 0 and proc.stdout.strip() == "ok":
                return None
            problem = "bwrap cannot start here: " + (proc.stderr.strip().splitlines() or ["?"])[-1]
        if attempt < 2:
            time.sleep(0.5 * (attempt + 1))
    return problem


def _ancestors(path):
    p, out = Path(path), []
    while p.parent != p:
        p = p.parent
        out.append(str(p))
    return out[::-1][1:] if out else []


def _python_roots():
    roots = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), sys.prefix}
    roots.add(str(Path(os.path.realpath(sys.executable)).parent.parent))
    return sorted(r for r in roots if r and not r.startswith("/usr/"))


def _bwrap_flags(pkg_root=None, file_mb=64):
    flags = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
    flags += ["--unshare-cgroup-try", "--die-with-parent", "--new-session"]
    if os.getuid() != 0:
        flags.append("--unshare-user")
    for d in ("/usr", "/bin", "/lib", "/lib64", "/lib32", "/sbin"):
        if os.path.exists(d):
            link = os.path.islink(d)
            flags += ["--symlink", os.readlink(d), d] if link else ["--ro-bind", d, d]
    flags += ["--perms", "0755", "--dir", "/etc"]
    for f in ("/etc/ld.so.cache", "/etc/localtime"):
        if os.path.exists(f):
            flags += ["--ro-bind", f, f]
    made = {"/usr", "/bin", "/lib", "/lib64", "/sbin", "/etc"}
    for root in _python_roots():
        for a in _ancestors(root):
            if a not in made:
                flags += ["--perms", "0755", "--dir", a]
                made.add(a)
        flags += ["--ro-bind", root, root]
    flags += ["--proc", "/proc", "--dev", "/dev"]
    flags += ["--perms", "1777", "--size", str(file_mb * 2**20), "--tmpfs", SCRATCH]
    if "/tmp" not in made:  # a venv under /tmp (a CI clone there) already made /tmp
        flags += ["--symlink", SCRATCH, "/tmp"]
    if pkg_root:
        flags += ["--perms", "0755", "--dir", "/opt", "--ro-bind", pkg_root, GRADED_ROOT]
        for real, name in _visible_package_dirs():  # a copy installed inside a bound folder
            flags += ["--ro-bind", str(Path(pkg_root) / name), real]
    flags += ["--chdir", SCRATCH]
    return flags


def _visible_package_dirs():
    roots = _python_roots()
    pairs = [(str(PACKAGE_DIR), "rnn_course"), (str(GRADER_DIR), "rnn_grade")]
    return [(real, name) for real, name in pairs if any(real.startswith(r + "/") for r in roots)]


def _reachable_by_others(paths):
    """True when every folder above each path lets others in (so `nobody` can run Python)."""
    for path in paths:
        for a in [*_ancestors(path), path]:
            try:
                if not os.stat(a).st_mode & 0o001:
                    return False
            except OSError:
                return False
    return True


def fallback_uid(pkg_root=None):
    """The user the fallback's learner runs as: ``nobody`` when the grader is root and
    ``nobody`` can run this Python (else root: the report says so)."""
    paths = _python_roots() + ([pkg_root] if pkg_root else [])
    if os.getuid() == 0 and _reachable_by_others(paths):
        return NOBODY
    return os.getuid()


LIVE = weakref.WeakSet()  # learner processes not yet killed


def kill_all():
    """Kill every learner process still running (on an interrupted run)."""
    for p in list(LIVE):
        p.kill()


def _protect_grader():
    """Make this (grader) process undumpable: a same-user process can no longer ptrace it or
    read and write its memory through /proc (the fallback's learner runs as the same user)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except (OSError, AttributeError):
        pass


class LearnerProcess:
    """One running learner process (sandboxed or not); ``.proc`` is the Popen."""

    def __init__(self, *, sandboxed, pkg_root, limits, hide=()):
        self.sandboxed = sandboxed
        if not sandboxed:
            _protect_grader()
        self.scratch_host = None
        root_user = os.getuid() == 0
        if sandboxed:
            uid = NOBODY if root_user else os.getuid()
            cfg = {"scratch": SCRATCH, "pkg": GRADED_ROOT, "chown": False, "audit": False}
            cmd = ["bwrap", *_bwrap_flags(pkg_root, limits.file_mb), "--"]
        else:
            self.scratch_host = tempfile.mkdtemp(prefix="rnn-grade-scratch-")
            uid = fallback_uid(pkg_root)
            drop = uid != os.getuid()
            cfg = {"scratch": os.path.realpath(self.scratch_host), "pkg": pkg_root}
            cfg |= {"chown": drop, "audit": True}
            cmd = []
        self.uid = uid
        self.runs_as_root = uid == 0
        cfg["uid"] = uid if uid != os.getuid() else None
        cfg["rlimits"] = limits.rlimits(uid)
        cfg["hide_path"] = sorted({str(PACKAGE_DIR.parent), str(GRADER_DIR.parent)})
        cfg["allow"] = _python_roots() + [os.path.realpath(pkg_root)]
        # the fallback's reads: an allowlist; the real package and the submissions never
        cfg["pkg"] = os.path.realpath(pkg_root) if not sandboxed else GRADED_ROOT
        cfg["read"] = [cfg["scratch"], *cfg["allow"], *FALLBACK_READABLE]
        cfg["deny"] = [str(PACKAGE_DIR), str(GRADER_DIR), str(_lessons.root())]
        cfg["deny"] += [os.path.realpath(h) for h in hide]
        cfg["secret"] = ["/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/ssl/private"]
        cmd += [sys.executable, "-I", "-B", "-c", BOOTSTRAP, json.dumps(cfg)]
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": cfg["scratch"],
            "TMPDIR": cfg["scratch"],
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": cfg["scratch"],
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "PYTHONHASHSEED": "0",
            "LANG": "C.UTF-8",
            "RNN_COURSE_SOLUTIONS": "off",
        }
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self.scratch_host or "/",
            env=env,
            start_new_session=True,
        )
        LIVE.add(self)

    def kill(self):
        """Kill the learner process, everything it started, and remove its scratch folder."""
        LIVE.discard(self)
        pid = self.proc.pid
        for victim in _descendants(pid):
            _signal(victim)
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        _signal(pid)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except OSError:
                pass
        if self.scratch_host:
            shutil.rmtree(self.scratch_host, ignore_errors=True)
            self.scratch_host = None


def _signal(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def _descendants(pid):
    children = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out
