"""Softmax regression: the linear classifier that chapter 1's window and bag-of-words
models, lesson 1's capstone and the interpretability probes train on fixed features."""

import numpy as np

__all__ = ["fit_softmax_regression"]


def fit_softmax_regression(X, y, n_classes, steps=100, lr=2.0):
    """Softmax regression by full-batch gradient descent on the mean cross-entropy.

    Parameters
    ----------
    X : ndarray, shape (n, F)
    y : ndarray of int, shape (n,)
    n_classes : int
    steps : int, default 100
    lr : float, default 2.0

    Returns
    -------
    W : ndarray, shape (F, n_classes)
    b : ndarray, shape (n_classes,)

    Notes
    -----
    The gradient of the mean cross-entropy with respect to the scores is
    :math:`(\\hat y - e_y) / n`. See chapter 1 (the window model and the probe).
    """
    W, b = np.zeros((X.shape[1], n_classes)), np.zeros(n_classes)  # (F, K), (K,)
    Y = np.eye(n_classes)[y]  # (n, K)
    for _ in range(steps):
        z = X @ W + b  # (n, K)
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)  # softmax probabilities
        dz = (p - Y) / len(y)  # d(mean cross-entropy) / dz
        W -= lr * X.T @ dz
        b -= lr * dz.sum(0)
    return W, b
