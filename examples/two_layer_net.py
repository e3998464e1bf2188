"""A network written the way batch code is (after cs231n's assignments): weights (in, out) and flat biases
in a dict `params` (W1, b1, W2, b2, …), row batches, ReLU hidden layers, softmax cross-entropy averaged
over the batch, and `loss(X, y) -> (loss, grads)` (`loss(X)` gives the scores). Checked by
examples/check_two_layer_net.py."""

import numpy as np


class TwoLayerNet:
    def __init__(self, sizes, std=1e-1):
        rng = np.random.default_rng(0)
        self.n = len(sizes) - 1
        self.params = {}
        for i, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            self.params[f"W{i}"] = std * rng.standard_normal((d_in, d_out))
            self.params[f"b{i}"] = np.zeros(d_out)

    def loss(self, X, y=None):
        hs, h = [X], X
        for i in range(1, self.n + 1):
            h = h @ self.params[f"W{i}"] + self.params[f"b{i}"]
            if i < self.n:
                h = np.maximum(0, h)
            hs.append(h)
        scores = h
        if y is None:
            return scores
        N = X.shape[0]
        shifted = scores - scores.max(axis=1, keepdims=True)
        probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        loss = -np.log(probs[np.arange(N), y]).mean()
        grads = {}
        dscores = probs.copy()
        dscores[np.arange(N), y] -= 1
        dscores /= N
        dh = dscores
        for i in range(self.n, 0, -1):
            grads[f"W{i}"] = hs[i - 1].T @ dh
            grads[f"b{i}"] = dh.sum(axis=0)
            dh = dh @ self.params[f"W{i}"].T
            if i > 1:
                dh = dh * (hs[i - 1] > 0)
        grads["X"] = dh
        return loss, grads
