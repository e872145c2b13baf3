"""The learner process's first code: limits, user, import path; then the worker serves.

Started by ``rnn_grade.sandbox.LearnerProcess`` as
``python -I -S -B bootstrap.py CONFIG`` (``-S``: no site-packages processing, so no
``.pth`` file and no editable finder of the instructor's install runs), inside
bubblewrap or as the dedicated learner user. ``CONFIG`` is JSON: ``rlimits``
({name: value}), ``uid``/``gid`` (switch to them, or null), ``scratch`` (the working
folder), ``site`` (the folders holding numpy and torch) and ``pkg`` (the folder
holding this learner side as ``rnn_grade``). Nothing in it names the grader's files.
"""

import json
import os
import resource
import sys


def _limit(rlimits):
    for name, value in rlimits.items():
        resource.setrlimit(getattr(resource, name), (value, value))


def _become(uid, gid):
    if uid is not None and os.getuid() != uid:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        if os.getuid() != uid or os.geteuid() != uid:
            raise SystemExit("rnn-grade learner: could not switch user")


def main(argv):
    cfg = json.loads(argv[1])
    _limit(cfg["rlimits"])
    _become(cfg.get("uid"), cfg.get("gid"))
    os.umask(0o077)
    os.chdir(cfg["scratch"])
    stdlib = [p for p in sys.path if p and os.path.realpath(p).startswith(sys.base_prefix)]
    sys.path[:] = stdlib + list(cfg["site"]) + [cfg["pkg"]]
    sys.path_importer_cache.clear()
    from rnn_grade.learner import blocker

    sys.meta_path.insert(0, blocker.Blocker)
    del sys.argv[1:]  # the learner's code sees no configuration
    from rnn_grade.learner import worker

    worker.main()


if __name__ == "__main__":
    main(sys.argv)
