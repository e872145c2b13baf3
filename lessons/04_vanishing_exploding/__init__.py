"""Lesson 04: Jacobian products, the gradient norm over time, gradient clipping."""

TITLE = "Vanishing and exploding gradients"  # the report's name of this lesson
