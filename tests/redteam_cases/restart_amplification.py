# ruff: noqa: E501
# No per-notebook deadline: each cell may take --timeout + 20 s, every crash in a call
# restarts the process and RE-RUNS every cell. Lesson 02, --timeout 2: 3 cells x 20 s, each
# function os._exit()s -> ~4 starts x 60 s = ~4 minutes for one notebook (normally ~5 s).
# Lesson 03 (8 cells) gives ~9 x 8 x 21 s = ~25 min per notebook. Run:
#   python redteam_cases/drive.py redteam_cases/restart_amplification.py --timeout 2
_CELL = """
import os, time
time.sleep(20)


def {name}(*a, **k):
    os._exit(3)
"""
CELLS = {n: _CELL.format(name=n) for n in ("srn_step_forward", "srn_forward", "softmax_output")}
