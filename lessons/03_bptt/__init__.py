"""Lesson 03: backward passes on your own caches, gradient checking, truncated BPTT."""

TITLE = "Backpropagation through time"  # the report's name of this lesson
