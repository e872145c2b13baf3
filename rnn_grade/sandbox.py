"""Where the learner process runs: bubblewrap, or (only when asked) a dedicated user.

**bubblewrap** (Debian's ``bwrap``), the default and the path to trust. Isolation by
absence: the sandbox holds the system's ``/usr`` and libraries, the Python
interpreter at ``/opt/python``, the site-packages that hold numpy and torch at
``/opt/site*`` (with the course's own distributions, their ``dist-info`` and
editable finders masked), and the learner side of the grader at ``/opt/rnn-grade``
(``rnn_grade/learner/``, each lesson's ``harness.py`` and a stand-in ``rnn_grade``
whose ``check``/``hint``/``solution`` do nothing): no part of ``rnn_course``, no
checks, mistakes or solutions, no submission, no report, no instructor path. A fresh
size-limited tmpfs is the working folder, TMPDIR and HOME; no network (its own
network namespace); its own PID, IPC and UTS namespaces, so ``/proc`` shows only its
own processes, and bwrap reads its flags from a pipe (``--args``), so its command line
names no path; when the grader runs as root
the learner code runs as ``nobody``. Resource limits (address space, CPU seconds,
file size, processes) are set before any learner code runs (``learner/bootstrap``);
every time limit is enforced from outside by the grader, which kills the whole
process group.

**The dedicated learner user** (``--no-sandbox-as-user``, where bubblewrap cannot
start). Only for a grader running as root: each parallel slot has its own user
(``rnn-grade-learner``, ``rnn-grade-learner1``, ..., created when absent) and the
kernel enforces what that user may do. Before the first notebook, a probe run as
that user must fail to read the grader's package, the course library, the lesson
folders, every submission and the report paths, and must succeed in running Python
with numpy; otherwise grading is refused, naming the path to protect. The learner
process gets the same rlimits (RLIMIT_NPROC now counts: the user is not root), a
private scratch folder (mode 0700, its own), and at the end of each notebook every
process of that user is killed and every file it left in the world-writable
folders (/tmp, /var/tmp, /dev/shm) is removed. What it does not hide: paths
(the interpreter's, site-packages', world-readable files of the machine) and the
command lines of other processes (``/proc``); see THREAT_MODEL.md.
"""

import atexit
import functools
import json
import os
import pwd
import queue
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
LEARNER_DIR = GRADER_DIR / "learner"
NOBODY = 65534
LEARNER_USER = "rnn-grade-learner"  # slot k > 0: rnn-grade-learner<k>
SANDBOX_PKG = "/opt/rnn-grade"  # the learner side of the grader, in the sandbox
SANDBOX_PYTHON = "/opt/python"  # the interpreter's prefix, in the sandbox
SANDBOX_SITE = "/opt/site"  # + index: the site-packages folders, in the sandbox
SCRATCH = "/scratch"
WORLD_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm")
OURS = ("rnn_course", "rnn_grade", "__editable__")  # masked in site-packages ("-" as "_")
THREADS = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


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


# ------------------------------------------------------------------ the learner side


@functools.lru_cache(maxsize=1)
def learner_tree():
    """A folder holding what the learner process imports of the grader; returns its path.

    ``rnn_grade/__init__.py`` is ``learner/stand_in.py``; ``rnn_grade/learner/`` is a
    copy of this package's ``learner/`` (bootstrap, worker, wire, output, blocker,
    harnesses); ``rnn_grade/lessons/lNN_<name>/harness.py`` each lesson's harness. No
    bytecode, no checks, mistakes or solutions. Readable by every user.
    """
    root = Path(tempfile.mkdtemp(prefix="rnn-grade-learner-"))
    atexit.register(shutil.rmtree, root, True)
    pkg = root / "rnn_grade"
    (pkg / "learner").mkdir(parents=True)
    (pkg / "lessons").mkdir()
    shutil.copyfile(LEARNER_DIR / "stand_in.py", pkg / "__init__.py")
    for src in sorted(LEARNER_DIR.glob("*.py")):
        shutil.copyfile(src, pkg / "learner" / src.name)
    (pkg / "lessons" / "__init__.py").write_text("", encoding="utf-8")
    for folder in _lessons.folders().values():
        if (folder / "harness.py").is_file():
            dest = pkg / "lessons" / _lessons.module_name(folder).rpartition(".")[2]
            dest.mkdir()
            (dest / "__init__.py").write_text("", encoding="utf-8")
            shutil.copyfile(folder / "harness.py", dest / "harness.py")
    for p in [root, *root.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    return str(root)


def _base_prefix():
    return os.path.realpath(sys.base_prefix)


def _python_exe():
    """The real interpreter binary (a venv's python is a link to it)."""
    return os.path.realpath(sys.executable)


def _remapped():
    """True when the interpreter is mounted at SANDBOX_PYTHON (not a system /usr Python)."""
    return not (_base_prefix() + "/").startswith("/usr/")


@functools.lru_cache(maxsize=1)
def site_dirs():
    """The site-packages folders holding numpy and torch (and what they import)."""
    import numpy

    dirs = [str(Path(numpy.__file__).resolve().parent.parent)]
    try:
        import torch

        dirs.append(str(Path(torch.__file__).resolve().parent.parent))
    except ImportError:
        pass
    return list(dict.fromkeys(dirs))


def _in_sandbox(path):
    """Where the host ``path`` (under the interpreter or a site folder) is in the sandbox."""
    path = os.path.realpath(path)
    for i, d in enumerate(site_dirs()):
        if path == d or path.startswith(d + "/"):
            if _remapped() or not d.startswith("/usr/"):
                return SANDBOX_SITE + str(i) + path[len(d) :]
            return path
    base = _base_prefix()
    if _remapped() and (path == base or path.startswith(base + "/")):
        return SANDBOX_PYTHON + path[len(base) :]
    return path


def masked():
    """Host paths in the site folders that graded code must not see: the course's own
    distributions, their metadata (``direct_url.json`` names the repository) and editable
    finders (they name it too)."""
    out = []
    for d in site_dirs():
        for entry in sorted(Path(d).iterdir()):
            if entry.name.lower().replace("-", "_").startswith(OURS):
                out.append(str(entry))
    return out


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
                [exe, *_bwrap_flags(), "--", *_sandbox_python(), "-I", "-S", "-c", "print('ok')"],
                capture_output=True,
                text=True,
                timeout=30,
                env=_env(SCRATCH),
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


def _sandbox_python():
    return [_in_sandbox(_python_exe())]


def _env(scratch):
    env = {"PATH": "/usr/bin:/bin", "HOME": scratch, "TMPDIR": scratch, "LANG": "C.UTF-8"}
    env |= {"MPLBACKEND": "Agg", "MPLCONFIGDIR": scratch, "PYTHONHASHSEED": "0"}
    env |= THREADS | {"RNN_COURSE_SOLUTIONS": "off"}
    if _remapped():
        env["LD_LIBRARY_PATH"] = SANDBOX_PYTHON + "/lib"
    return env


def _bwrap_flags(pkg_root=None, file_mb=64):
    flags = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
    flags += ["--hostname", "rnn-grade", "--unshare-cgroup-try", "--die-with-parent"]
    flags += ["--new-session"]
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
    flags += ["--perms", "0755", "--dir", "/opt"]
    if _remapped():
        flags += ["--ro-bind", _base_prefix(), SANDBOX_PYTHON]
    for d in site_dirs():
        if _in_sandbox(d) != d or not d.startswith("/usr/"):
            flags += ["--ro-bind", d, _in_sandbox(d)]
    for path in masked():  # after the binds: mounted over them
        if os.path.isdir(path) and not os.path.islink(path):
            flags += ["--tmpfs", _in_sandbox(path)]
        else:
            flags += ["--ro-bind", "/dev/null", _in_sandbox(path)]
    flags += ["--dev", "/dev"]
    flags += ["--proc", "/proc"]  # its own PID namespace: only its own processes
    flags += ["--perms", "1777", "--size", str(file_mb * 2**20), "--tmpfs", SCRATCH]
    flags += ["--symlink", SCRATCH, "/tmp"]
    if pkg_root:
        flags += ["--ro-bind", pkg_root, SANDBOX_PKG]
    flags += ["--chdir", SCRATCH]
    return flags


# ------------------------------------------------------------------ the learner user


def learner_users(jobs):
    """The learner users of ``jobs`` parallel slots (names)."""
    return [LEARNER_USER if k == 0 else f"{LEARNER_USER}{k}" for k in range(jobs)]


def ensure_user(name):
    """(uid, gid) of ``name``, created as a system user without a home when absent."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        if os.getuid() != 0:
            raise PermissionError(f"the learner user {name} does not exist") from None
        subprocess.run(
            ["/usr/sbin/useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
             "--shell", "/usr/sbin/nologin", "--user-group", name],
            check=True, capture_output=True,
        )  # fmt: skip
        entry = pwd.getpwnam(name)
    return entry.pw_uid, entry.pw_gid


def user_problem(protected, jobs=1):
    """None when the learner users can run Python but read none of ``protected``."""
    if os.getuid() != 0:
        return "the learner-user path needs a grader running as root (to switch user)"
    try:
        ids = [ensure_user(n) for n in learner_users(jobs)]
    except (OSError, subprocess.CalledProcessError) as exc:
        return f"cannot create the learner user {LEARNER_USER}: {exc}"
    paths = sorted({os.path.realpath(p) for p in protected})
    uid, gid = ids[0]
    access = str(Path(learner_tree()) / "rnn_grade" / "learner" / "access.py")
    cmd = [_python_exe(), "-I", "-S", "-B", access, json.dumps(site_dirs()), *paths]
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=60, env=_env("/nonexistent"),
            user=uid, group=gid, extra_groups=[], cwd="/",
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        return f"the learner user {LEARNER_USER} cannot run {_python_exe()}: {exc}"
    if proc.returncode != 0:
        why = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return f"the learner user {LEARNER_USER} cannot run {_python_exe()} with numpy: {why}"
    exposed = json.loads(proc.stdout)
    if exposed:
        return (
            f"the learner user {LEARNER_USER} can reach {exposed[0]} (and {len(exposed) - 1} "
            "more): make it unreadable to other users (chmod o-rwx) before grading"
        )
    return None


# ------------------------------------------------------------------ the learner process


LIVE = weakref.WeakSet()  # learner processes not yet killed
SLOTS = queue.Queue()  # free learner users (uid, gid) of the learner-user path
_SLOT_USERS = []


def use_learner_users(jobs):
    """Make ``jobs`` learner users the free slots of the learner-user path."""
    while not SLOTS.empty():
        SLOTS.get_nowait()
    _SLOT_USERS[:] = [ensure_user(n) for n in learner_users(jobs)]
    for ids in _SLOT_USERS:
        SLOTS.put(ids)


def kill_all():
    """Kill every learner process still running (on an interrupted run)."""
    for p in list(LIVE):
        p.kill()
    for uid, _ in _SLOT_USERS:
        _kill_user(uid)


class LearnerProcess:
    """One running learner process (bubblewrap, or a learner user); ``.proc`` is the Popen."""

    def __init__(self, *, sandboxed, pkg_root, limits, hide=()):
        self.sandboxed = sandboxed
        self.scratch_host, self.slot = None, None
        root_user = os.getuid() == 0
        if sandboxed:
            uid = gid = NOBODY if root_user else os.getuid()
            scratch, site = SCRATCH, [_in_sandbox(d) for d in site_dirs()]
            pkg = SANDBOX_PKG
            cmd = []
            python = _sandbox_python()[0]
        else:
            self.slot = SLOTS.get(timeout=600) if _SLOT_USERS else None
            if self.slot is None:
                raise RuntimeError("the learner-user path was not prepared (use_learner_users)")
            uid, gid = self.slot
            self.scratch_host = tempfile.mkdtemp(prefix="rnn-grade-scratch-")
            os.chown(self.scratch_host, uid, gid)
            scratch, site, pkg = os.path.realpath(self.scratch_host), site_dirs(), pkg_root
            cmd, python = [], _python_exe()
        self.uid = uid
        self.runs_as_root = uid == 0
        cfg = {"rlimits": limits.rlimits(uid), "scratch": scratch, "site": site, "pkg": pkg}
        cfg |= {"uid": uid if uid != os.getuid() else None, "gid": gid}
        bootstrap = pkg + "/rnn_grade/learner/bootstrap.py"
        cmd += [python, "-I", "-S", "-B", bootstrap, json.dumps(cfg)]
        fds = ()
        if sandboxed:  # the flags through a pipe: bwrap's own command line names no host path
            r, w = os.pipe()
            flags = _bwrap_flags(pkg_root, limits.file_mb)
            os.write(w, b"".join(a.encode() + b"\0" for a in flags))
            os.close(w)
            cmd, fds = ["bwrap", "--args", str(r), "--", *cmd], (r,)
        self.proc = subprocess.Popen(
            cmd,
            pass_fds=fds,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self.scratch_host or "/",
            env=_env(scratch),
            start_new_session=True,
        )
        for fd in fds:
            os.close(fd)
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
        if self.slot is not None:  # every process and stray file of the slot's user
            _kill_user(self.slot[0])
            _remove_files_of(self.slot[0])
            SLOTS.put(self.slot)
            self.slot = None
        if self.scratch_host:
            shutil.rmtree(self.scratch_host, ignore_errors=True)
            self.scratch_host = None


def _kill_user(uid):
    """SIGKILL every process of ``uid`` until none is left (a fork race is retried)."""
    for _ in range(20):
        found = False
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    if os.stat(f"/proc/{d}").st_uid == uid:
                        found = True
                        os.kill(int(d), signal.SIGKILL)
                except OSError:
                    pass
        if not found:
            return
        time.sleep(0.05)


def _remove_files_of(uid):
    """Remove what ``uid`` created in the world-writable folders. It can only have created
    entries in folders it may write to (its own, or world-writable ones), so only those
    are searched: a few directory reads, not a walk of /tmp."""
    todo = [d for d in WORLD_WRITABLE if os.path.isdir(d)]
    while todo:
        folder = todo.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if st.st_uid == uid:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    _unlink(entry.path)
            elif entry.is_dir(follow_symlinks=False) and st.st_mode & 0o002:
                todo.append(entry.path)  # another world-writable folder


def _unlink(path):
    try:
        os.unlink(path)
    except OSError:
        pass


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
