"""Lesson 02: the SRN step, the SRN over a sequence, a softmax output layer."""

TITLE = "The simple recurrent network"  # the report's name of this lesson
