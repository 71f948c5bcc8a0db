#!/usr/bin/python3
"""Write scikit-learn reference outputs for the eval/probe tests to test/golden/sklearn/*.json.

Run with Debian's scikit-learn:  /usr/bin/python3 scripts/golden-sklearn.py
(apt-get install -y python3-sklearn). Deterministic: every case comes from a seeded numpy
Generator, so re-running rewrites identical files for a given scikit-learn version.

Files:
  ranking.json   roc_auc_score / average_precision_score / brier_score_loss on cases with ties
  scaler.json    MaxAbsScaler on a matrix with an all-zero and a near-zero column
  logistic.json  MaxAbsScaler + LogisticRegression per C on small datasets (dense, d > n, nearly
                 separable, duplicate rows / count features), tol=1e-10, max_iter=10000:
                 `coef`/`intercept` from solver='newton-cholesky' (the optimum, checked against an
                 independent Newton refinement to 1e-7: the script fails otherwise) and
                 `lbfgsCoef`/`lbfgsIntercept` from solver='lbfgs', which stops early on scipy's
                 relative-reduction test (factr=1e7) however small tol is; `lbfgsGap` records
                 how far (max abs) that is from the optimum.
"""
import json
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.preprocessing import MaxAbsScaler

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'golden', 'sklearn')
META = {'sklearn': sklearn.__version__, 'numpy': np.__version__, 'generator': 'scripts/golden-sklearn.py'}


def write(name, payload):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name)
    with open(path, 'w') as f:
        json.dump({'meta': META, **payload}, f, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)')


def ranking_cases():
    rng = np.random.default_rng(20240101)
    cases = []

    def add(name, y, s):
        y = np.asarray(y, dtype=int)
        s = np.asarray(s, dtype=float)
        cases.append({
            'name': name,
            'yTrue': y.tolist(),
            'scores': s.tolist(),
            'auroc': float(roc_auc_score(y, s)),
            'averagePrecision': float(average_precision_score(y, s)),
            'brier': float(brier_score_loss(y, s)) if s.min() >= 0 and s.max() <= 1 else None,
        })

    add('tiny', [0, 1], [0.2, 0.7])
    add('tiny-tied', [0, 1, 1, 0], [0.5, 0.5, 0.5, 0.5])
    add('perfect', [0, 0, 1, 1, 1], [0.1, 0.2, 0.8, 0.9, 0.95])
    add('inverted', [1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])
    add('sklearn-doc', [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    for n, decimals, prev in [(30, 1, 0.5), (100, 1, 0.3), (250, 2, 0.1), (500, 1, 0.05), (400, 0, 0.5)]:
        y = (rng.random(n) < prev).astype(int)
        if y.sum() == 0:
            y[0] = 1
        if y.sum() == n:
            y[0] = 0
        raw = 1 / (1 + np.exp(-(rng.normal(size=n) + 1.2 * y)))
        add(f'ties-n{n}-d{decimals}', y, np.round(raw, decimals))
    # Integer-valued scores outside [0, 1] with heavy ties (no Brier).
    y = (rng.random(300) < 0.2).astype(int)
    add('integer-scores', y, rng.integers(-3, 4, size=300) + y * rng.integers(0, 2, size=300))
    # Continuous scores, no ties.
    y = (rng.random(200) < 0.4).astype(int)
    add('continuous', y, 1 / (1 + np.exp(-(rng.normal(size=200) + y))))
    # Duplicated blocks of scores: each value appears with both labels.
    base = np.round(rng.random(40), 2)
    add('duplicated', np.r_[np.zeros(40, int), np.ones(40, int)], np.r_[base, np.roll(base, 7)])
    return cases


def scaler_case():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(12, 6)) * np.array([1, 10, 0.01, 1, 1, 1e3])
    X[:, 3] = 0.0  # all-zero column: scale 1
    X[:, 4] = 1e-16 * np.sign(rng.normal(size=12))  # below 10 * eps: scale 1, as sklearn
    X[5, 0] = -7.5  # the max |x| is a negative value
    Xt = rng.normal(size=(4, 6)) * 20
    sc = MaxAbsScaler().fit(X)
    return {'d': 6, 'train': X.ravel().tolist(), 'test': Xt.ravel().tolist(),
            'scale': sc.scale_.tolist(), 'trainScaled': sc.transform(X).ravel().tolist(),
            'testScaled': sc.transform(Xt).ravel().tolist()}


def newton_refine(A, y, C, w0, b0):
    """Newton's method on sum(logloss) + ||w||^2 / (2C) from (w0, b0); returns the optimum."""
    n, d = A.shape
    Z = np.c_[A, np.ones(n)]
    theta = np.r_[w0, b0].astype(float)
    reg = np.r_[np.full(d, 1.0 / C), 0.0]

    def obj(t):
        z = Z @ t
        return np.sum(np.logaddexp(0, z) - y * z) + 0.5 * np.sum(reg * t * t)

    for _ in range(100):
        z = Z @ theta
        p = 1 / (1 + np.exp(-z))
        g = Z.T @ (p - y) + reg * theta
        if np.max(np.abs(g)) < 1e-12 * max(1.0, np.max(np.abs(theta))):
            break
        H = Z.T @ (Z * (p * (1 - p))[:, None]) + np.diag(reg)
        step = np.linalg.lstsq(H, g, rcond=None)[0]
        f0, t = obj(theta), 1.0
        while obj(theta - t * step) > f0 + 1e-12 * abs(f0) and t > 1e-10:
            t /= 2
        theta = theta - t * step
    return theta[:d], theta[d]


def logistic_cases():
    rng = np.random.default_rng(42)
    datasets = []

    n, d = 80, 6
    X = rng.normal(size=(n, d)) * np.array([1, 2, 0.5, 5, 1, 3]) + 0.3
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ np.array([1, -0.5, 2, 0.1, 0, -1]) * 0.7)))).astype(int)
    datasets.append(('dense', X, y, [1e-4, 1e-2, 1.0, 100.0, 1e4]))

    n, d = 25, 60  # more features than rows: separable, the Gram path's home ground
    X = rng.normal(size=(n, d))
    X[24] = X[3]  # duplicate rows make X X^T singular (rank cut in the Gram path)
    X[23] = X[2]
    y = (X[:, 0] + 0.5 * rng.normal(size=n) > 0).astype(int)
    y[23] = 1 - y[2]  # a duplicate with the opposite label
    datasets.append(('wide', X, y, [1e-3, 0.1, 1.0, 100.0, 1e3]))

    n, d = 60, 3  # separable by a plane except for two flipped labels
    X = rng.normal(size=(n, d))
    y = (X @ np.array([2.0, -1.0, 0.5]) > 0).astype(int)
    y[:2] = 1 - y[:2]
    datasets.append(('nearly-separable', X, y, [1.0, 100.0, 1e4]))

    n, d = 40, 8  # count features with duplicate rows and an all-zero column
    X = rng.poisson(1.5, size=(n, d)).astype(float)
    X[:, 5] = 0
    X[20:30] = X[0:10]
    y = (X[:, 0] + X[:, 1] - X[:, 2] + rng.normal(size=n) > 1.5).astype(int)
    datasets.append(('counts-duplicates', X, y, [1e-2, 1.0, 1e3]))

    out = []
    for name, X, y, Cs in datasets:
        A = MaxAbsScaler().fit_transform(X)
        fits = []
        for C in Cs:
            # sklearn's lbfgs stops on scipy's relative-reduction test (factr=1e7) long before
            # tol=1e-10 (1e-4 off at C=1 here), so the reference optimum comes from sklearn's
            # newton-cholesky solver, checked against an independent Newton refinement.
            with warnings.catch_warnings():
                warnings.simplefilter('error', ConvergenceWarning)
                ref = LogisticRegression(C=C, solver='newton-cholesky', tol=1e-10, max_iter=10000).fit(A, y)
            with warnings.catch_warnings():
                warnings.simplefilter('ignore', ConvergenceWarning)
                lb = LogisticRegression(C=C, solver='lbfgs', tol=1e-10, max_iter=10000).fit(A, y)
            w, b = ref.coef_[0], ref.intercept_[0]
            wn, bn = newton_refine(A, y, C, w, b)
            gap = max(np.max(np.abs(w - wn)), abs(b - bn))
            lgap = max(np.max(np.abs(lb.coef_[0] - w)), abs(lb.intercept_[0] - b))
            print(f'  {name} C={C:g}: |coef|max={np.max(np.abs(w)):.3g} newton-cholesky-vs-Newton={gap:.1e} '
                  f'lbfgs(n_iter={lb.n_iter_[0]})-vs-optimum={lgap:.1e}')
            if gap > 1e-7:
                sys.exit(f'{name} C={C}: sklearn newton-cholesky is {gap:.2e} from the optimum; pick another case')
            fits.append({'C': C, 'coef': w.tolist(), 'intercept': float(b),
                         'lbfgsCoef': lb.coef_[0].tolist(), 'lbfgsIntercept': float(lb.intercept_[0]),
                         'lbfgsNIter': int(lb.n_iter_[0]), 'lbfgsGap': float(lgap)})
        out.append({'name': name, 'n': int(X.shape[0]), 'd': int(X.shape[1]), 'X': X.ravel().tolist(),
                    'y': y.tolist(), 'fits': fits})
    return out


if __name__ == '__main__':
    write('ranking.json', {'cases': ranking_cases()})
    write('scaler.json', scaler_case())
    write('logistic.json', {'tol': 1e-10, 'maxIter': 10000, 'datasets': logistic_cases()})
