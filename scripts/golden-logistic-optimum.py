#!/usr/bin/python3
"""Exact optima of L2 logistic regression on the whole C grid, for test/probe/logisticOptimum.test.ts.

Run with Debian's numpy and scikit-learn:  /usr/bin/python3 scripts/golden-logistic-optimum.py
Writes test/golden/optimum/logistic-path.json. Deterministic (seeded numpy Generator).

Each dataset has a train and a validation part. Features are max-abs scaled on train (as
sklearn's MaxAbsScaler: a column whose max |x| is 0 keeps scale 1) and, for every C of the
project's 12-value grid, the optimum of

    sum_i logloss(y_i, x_i . w + b) + ||w||^2 / (2 C)        (intercept b not penalised)

comes from Newton's method on the SVD-reduced problem: A = U S V^T with rank r, w = V_r z, so the
design is U_r S_r (n x r, r <= n) and the penalty ||z||^2 is the same; full Newton steps with a
backtracking line search, warm-started along increasing C, iterated until the gradient stops
shrinking. The reduction is exact (the optimal w lies in the row space of A). The script records,
per C, the relative gradient norm of the mean-form objective on the original d-dimensional
problem at the stored coefficients (`relGrad`, what ehr-embed certifies), the validation AUROC
of the decision function, and the C chosen by validation AUROC (ties to the smaller C). It fails
if any optimum's relGrad exceeds 1e-12.

Datasets (small enough to commit, shaped like the issue-17 comparison):
  embedding-like  L2-normalised rows of a low-rank factor model plus noise, d > n
  heavy-tailed    Student-t (3 df) factors and noise, d > n
  sparse-counts   Poisson counts with all-zero columns and all-zero rows, d > n
  separable       d > n with a margin: C = 1e6 pushes the optimum far out
  tall            n > d, nearly separable (the direct, non-reduced path)
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.metrics import roc_auc_score

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'golden', 'optimum')
C_GRID = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1.0, 1e2, 1e3, 1e4, 1e5, 1e6]


def max_abs_scale(Xtr):
    s = np.max(np.abs(Xtr), axis=0)
    s[s == 0] = 1.0
    return s


def newton_reduced(Z, y, C, theta0):
    """Newton on sum logloss([Z 1] theta) + ||theta[:-1]||^2 / (2C); returns theta."""
    n, r = Z.shape
    D = np.c_[Z, np.ones(n)]
    reg = np.r_[np.full(r, 1.0 / C), 0.0]
    theta = theta0.copy()

    sgn = 1 - 2 * y  # logloss = log(1 + exp(sgn z)), p - y = sgn expit(sgn z): no cancellation

    def obj(t):
        return np.sum(np.logaddexp(0, sgn * (D @ t))) + 0.5 * np.sum(reg * t * t)

    def grad(t):
        u = sgn * (D @ t)
        q = np.exp(-np.logaddexp(0, -u))  # expit(u)
        curv = q * np.exp(-np.logaddexp(0, u))  # p (1 - p)
        return D.T @ (sgn * q) + reg * t, curv

    best = np.inf
    stall = 0
    for _ in range(500):
        g, p = grad(theta)
        gn = np.linalg.norm(g)
        if gn < best * 0.9:
            best, stall = gn, 0
        else:
            stall += 1
            if stall >= 10:  # rounding floor reached
                break
        H = D.T @ (D * p[:, None]) + np.diag(reg)
        step = np.linalg.solve(H, g)
        f0, t = obj(theta), 1.0
        while obj(theta - t * step) > f0 - 1e-4 * t * (g @ step) + 1e-15 * abs(f0) and t > 1e-12:
            t /= 2
        theta = theta - t * step
    return theta


def rel_grad_mean(A, y, C, w, b):
    """||grad f||_2 / max(1, |f|) for f = mean logloss + ||w||^2 / (2 C n)."""
    n = A.shape[0]
    sgn = 1 - 2 * y
    u = sgn * (A @ w + b)
    r = sgn * np.exp(-np.logaddexp(0, -u))  # p - y
    f = np.mean(np.logaddexp(0, u)) + (w @ w) / (2 * C * n)
    g = np.r_[A.T @ r / n + w / (C * n), np.mean(r)]
    return float(np.linalg.norm(g) / max(1.0, abs(f)))


def datasets():
    rng = np.random.default_rng(17)
    out = []

    def split(name, X, y, ntr):
        # both classes in both parts
        assert 0 < y[:ntr].sum() < ntr and 0 < y[ntr:].sum() < len(y) - ntr, name
        out.append((name, X[:ntr], y[:ntr], X[ntr:], y[ntr:]))

    n, d, k = 70, 128, 8
    F = rng.normal(size=(n, k))
    X = F @ rng.normal(size=(k, d)) / np.sqrt(k) + 0.4 * rng.normal(size=(n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    y = (F[:, 0] + 0.5 * F[:, 1] + 0.7 * rng.normal(size=n) > 0.3).astype(int)
    split('embedding-like', X, y, 40)

    n, d, k = 78, 96, 6
    F = rng.standard_t(3, size=(n, k))
    X = F @ rng.standard_t(3, size=(k, d)) + rng.standard_t(3, size=(n, d))
    y = (F[:, 0] - F[:, 2] + rng.normal(size=n) > 0).astype(int)
    split('heavy-tailed', X, y, 48)

    n, d = 100, 80
    lam = rng.gamma(0.3, 1.0, size=d)
    X = rng.poisson(lam, size=(n, d)).astype(float)
    X[:, :5] = 0  # empty columns
    X[[3, 17, 42, 77]] = 0  # empty rows (in train and validation)
    y = (X[:, 5:15].sum(axis=1) + rng.normal(size=n) > np.median(X[:, 5:15].sum(axis=1))).astype(int)
    split('sparse-counts', X, y, 60)

    n, d = 44, 150
    X = rng.normal(size=(n, d))
    y = (X[:, 0] > 0).astype(int)
    X[:, 0] += np.where(y == 1, 1.0, -1.0)  # margin: separable in train and validation
    split('separable', X, y, 24)

    n, d = 250, 12
    X = rng.normal(size=(n, d))
    y = (X @ rng.normal(size=d) > 0).astype(int)
    y[:3] = 1 - y[:3]  # nearly separable
    split('tall', X, y, 150)
    return out


def main():
    cases = []
    for name, Xtr, ytr, Xva, yva in datasets():
        Xtr = np.round(Xtr, 5)
        Xva = np.round(Xva, 5)
        s = max_abs_scale(Xtr)
        A, Ava = Xtr / s, Xva / s
        U, S, Vt = np.linalg.svd(A, full_matrices=False)
        r = int(np.sum(S > S[0] * max(A.shape) * np.finfo(float).eps))
        Z = U[:, :r] * S[:r]
        theta = np.zeros(r + 1)
        fits = []
        for C in C_GRID:
            theta = newton_reduced(Z, ytr.astype(float), C, theta)
            w = Vt[:r].T @ theta[:r]
            b = float(theta[r])
            rg = rel_grad_mean(A, ytr, C, w, b)
            if rg > 1e-12:
                sys.exit(f'{name} C={C:g}: relGrad {rg:.2e} > 1e-12; the reference is not exact enough')
            auc = float(roc_auc_score(yva, Ava @ w + b))
            fits.append({'C': C, 'coef': w.tolist(), 'intercept': b, 'relGrad': rg, 'valAuroc': auc,
                         'maxAbsCoef': float(np.max(np.abs(w)))})
            print(f'  {name} C={C:g}: rank {r}, max|w| {np.max(np.abs(w)):.3g}, relGrad {rg:.1e}, val AUROC {auc:.4f}')
        best = 0
        for i, f in enumerate(fits):
            if f['valAuroc'] > fits[best]['valAuroc']:
                best = i
        cases.append({'name': name, 'd': int(Xtr.shape[1]), 'train': {'X': Xtr.ravel().tolist(), 'y': ytr.tolist()},
                      'val': {'X': Xva.ravel().tolist(), 'y': yva.tolist()}, 'chosenC': C_GRID[best], 'fits': fits})
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, 'logistic-path.json')
    meta = {'numpy': np.__version__, 'sklearn': sklearn.__version__, 'generator': 'scripts/golden-logistic-optimum.py',
            'objective': 'sum logloss + ||w||^2/(2C), intercept unpenalised, MaxAbs-scaled on train',
            'relGrad': '||grad f||_2 / max(1, |f|), f = mean logloss + ||w||^2/(2Cn)'}
    with open(path, 'w') as f:
        json.dump({'meta': meta, 'grid': C_GRID, 'datasets': cases}, f, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)')


if __name__ == '__main__':
    main()
