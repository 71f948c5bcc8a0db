#!/usr/bin/python3
"""Exact optima for the primal Newton-CG path (n >= d > 600), for test/probe/logisticPrimal.test.ts.

Run with Debian's numpy:  /usr/bin/python3 scripts/golden-logistic-primal.py
Writes test/golden/optimum/logistic-primal.json.

The data are not stored: both sides regenerate them from a Lehmer generator (s <- 48271 s mod
2^31 - 1, s0 = 12345) with operations that are exact or correctly rounded in IEEE double, so
Python and TypeScript get the same float32 matrix bit for bit:
  X[i, j] = float32((2 u - 1) * (1 + j % 5))             u = s / (2^31 - 1), row-major draws
  y[i]    = 1 if ((X[i,0] + 0.5 X[i,1]) - 0.25 X[i,2]) + (2 u_i - 1) > 0.2 else 0   (after X)
For each C the optimum of sum_i logloss + ||w||^2 / (2C) (intercept unpenalised) comes from full
Newton steps (the 641 x 641 Hessian factored by numpy) with a backtracking line search, iterated
until the gradient stops shrinking; the script fails unless the relative gradient norm of the
mean-form objective (what ehr-embed certifies) is at most 1e-12.
"""
import json
import os

import numpy as np

N, D = 720, 640
CS = [0.01, 1.0, 100.0]
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'golden', 'optimum', 'logistic-primal.json')
M = 2147483647


def data():
    s = 12345
    X = np.empty((N, D), dtype=np.float32)
    for i in range(N):
        for j in range(D):
            s = s * 48271 % M
            X[i, j] = np.float32((2 * (s / M) - 1) * (1 + j % 5))
    y = np.empty(N, dtype=np.int64)
    for i in range(N):
        s = s * 48271 % M
        x0, x1, x2 = float(X[i, 0]), float(X[i, 1]), float(X[i, 2])
        y[i] = 1 if ((x0 + 0.5 * x1) - 0.25 * x2) + (2 * (s / M) - 1) > 0.2 else 0
    return X.astype(np.float64), y


def rel_grad(A, y, C, theta):
    n = A.shape[0]
    z = A @ theta[:-1] + theta[-1]
    sgn = 1 - 2 * y
    f = (np.sum(np.logaddexp(0, sgn * z)) + 0.5 * np.dot(theta[:-1], theta[:-1]) / C) / n
    r = sgn / (1 + np.exp(-sgn * z))  # p - y without cancellation
    g = np.r_[A.T @ r + theta[:-1] / C, np.sum(r)] / n
    return np.linalg.norm(g) / max(1.0, abs(f))


def newton(A, y, C, theta):
    n, d = A.shape
    Dm = np.c_[A, np.ones(n)]
    reg = np.r_[np.full(d, 1.0 / C), 0.0]
    sgn = 1 - 2 * y

    def obj(t):
        return np.sum(np.logaddexp(0, sgn * (Dm @ t))) + 0.5 * np.sum(reg * t * t)

    best = np.inf
    for _ in range(200):
        z = Dm @ theta
        r = sgn / (1 + np.exp(-sgn * z))
        g = Dm.T @ r + reg * theta
        gn = np.linalg.norm(g)
        if gn >= best and gn < 1e-9:
            break
        best = min(best, gn)
        p = 1 / (1 + np.exp(-z))
        H = (Dm * (p * (1 - p))[:, None]).T @ Dm + np.diag(reg)
        step = np.linalg.solve(H, -g)
        f0, t = obj(theta), 1.0
        while obj(theta + t * step) > f0 + 1e-4 * t * np.dot(g, step) and t > 1e-10:
            t *= 0.5
        theta = theta + t * step
    return theta


def main():
    A, y = data()
    fits = []
    theta = np.zeros(D + 1)
    for C in CS:
        theta = newton(A, y, C, theta)
        rg = rel_grad(A, y, C, theta)
        assert rg <= 1e-12, (C, rg)
        fits.append({'C': C, 'coef': theta[:-1].tolist(), 'intercept': float(theta[-1]), 'relGrad': rg})
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump({'n': N, 'd': D, 'positives': int(y.sum()), 'checksum': float(A.sum()), 'fits': fits}, f)
    print('wrote', OUT, 'positives', int(y.sum()), [(c['C'], c['relGrad']) for c in fits])


if __name__ == '__main__':
    main()
