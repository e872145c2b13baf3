"""Hints teach in three steps and never print working code (issue 21): tier 1 the
idea, tier 2 the equation and the shapes, tier 3 a skeleton with blanks (``____``);
only ``solution()`` shows the answer."""

import re

import pytest

from rnn_grade.registry import load_all

EXERCISES = load_all()
CODE = re.compile(r"np\.|\s@\s|\.T\b|\breturn\b|\bdef\b|\.sum\(|\.reshape\(|\bfor \w+ in ")


@pytest.mark.parametrize("ex_id", sorted(EXERCISES))
def test_three_tiers_that_teach_without_code(ex_id):
    idea, equation, skeleton = EXERCISES[ex_id].hints
    assert not CODE.search(equation), equation  # the equation, in maths, not code
    assert "____" in skeleton
    assert not CODE.search(idea.replace("np.clip's out=", "")), idea
