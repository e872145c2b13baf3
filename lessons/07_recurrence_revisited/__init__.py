"""Lesson 07: a minGRU step, a parallel scan and its backward pass, minGRU over a sequence."""

TITLE = "Recurrence revisited"  # the report's name of this lesson
