"""Lesson 05: the LSTM and GRU steps, forward and backward, and the LSTM over a sequence."""

TITLE = "LSTM and GRU"  # the report's name of this lesson
