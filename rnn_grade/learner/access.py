"""What the learner user can reach: run as that user before the learner-user path grades.

``python -I -S -B access.py SITE_JSON PATH...`` imports numpy from the site folders
(proving that this user can run the interpreter and the libraries), then prints a
JSON list of the PATHs this user can read (list a folder, open a file) or write. The
grader refuses to grade while the list is not empty. The kernel answers, not a
reading of permission bits.
"""

import json
import os
import sys


def reachable(path):
    """True when this process can read or change ``path``."""
    try:
        if os.path.isdir(path):
            os.listdir(path)
            return True
        with open(path, "rb"):
            return True
    except OSError:
        pass
    target = path if os.path.exists(path) else os.path.dirname(path) or "."
    return os.access(target, os.W_OK)


def main(argv):
    sys.path[:0] = json.loads(argv[1])
    import numpy  # noqa: F401 - the learner process must be able to import it

    print(json.dumps([p for p in argv[2:] if reachable(p)]))


if __name__ == "__main__":
    main(sys.argv)
