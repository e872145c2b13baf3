"""Lesson 03: backward passes on your own caches, gradient checking, truncated BPTT."""
