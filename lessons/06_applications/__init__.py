"""Lesson 06: perplexity, sampling with temperature and top-k, a truncated-BPTT training step."""

TITLE = "Applications"  # the report's name of this lesson
