"""Lesson 01: one-hot windows and bags of words, and what each loses."""
