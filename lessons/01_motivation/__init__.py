"""Lesson 01: one-hot windows and bags of words, and what each loses."""

TITLE = "Motivation: windows and bags of words"  # the report's name of this lesson
