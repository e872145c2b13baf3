"""Lesson 02: the SRN step, the SRN over a sequence, a softmax output layer."""
