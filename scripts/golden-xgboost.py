#!/usr/bin/python3
"""Write Python XGBoost reference predictions for test/probe/gbm.test.ts to test/golden/xgboost/.

Run with Debian's XGBoost:  /usr/bin/python3 scripts/golden-xgboost.py
(apt-get install -y python3-xgboost; it calls the same libxgboost.so.0 as src/probe/xgboostLib.ts).
Deterministic: data come from seeded numpy Generators and XGBoost's hist/lossguide training
without sampling is deterministic for a fixed thread count (nthread=1 here and in the test).

File predictions.json: datasets (X, y, Xtest as row-major lists of decimals with 3 digits, read
as float32 by both sides; null = NaN = missing), and per parameter set the camelCase params of
src/probe/gbm.ts, the XGBoost params this script derived from them (the test checks that
toXGBoostParams() derives the same list, so both sides train the same model), and Python's
predict() on Xtest.
"""
import json
import os

import numpy as np
import xgboost as xgb

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'golden', 'xgboost')
META = {'xgboost': xgb.__version__, 'numpy': np.__version__, 'generator': 'scripts/golden-xgboost.py'}

# src/probe/gbm.ts GBM_DEFAULTS.
DEFAULTS = {'maxDepth': 0, 'learningRate': 0.1, 'maxLeaves': 31, 'minChildWeight': 1e-3,
            'nEstimators': 100, 'lambda': 0, 'maxBin': 256, 'seed': 0}


def js_num(v):
    """String(v) in JavaScript for the numbers used here (integers print without '.0')."""
    v = float(v)
    return str(int(v)) if v.is_integer() else repr(v)


def xgb_params(p, base_score):
    """The mapping of toXGBoostParams() in src/probe/gbm.ts, with nthread=1."""
    return [
        ['objective', 'binary:logistic'],
        ['tree_method', 'hist'],
        ['grow_policy', 'lossguide'],
        ['max_depth', js_num(p['maxDepth'])],
        ['max_leaves', js_num(p['maxLeaves'])],
        ['eta', js_num(p['learningRate'])],
        ['min_child_weight', js_num(p['minChildWeight'])],
        ['lambda', js_num(p['lambda'])],
        ['max_bin', js_num(p['maxBin'])],
        ['base_score', js_num(base_score)],
        ['seed', js_num(p['seed'])],
        ['nthread', '1'],
        ['verbosity', '1'],
    ]


def as_list(a):
    return [None if np.isnan(v) else float(v) for v in a.ravel()]


def dense_case(rng):
    """Continuous features, an interaction and a threshold effect; 2 of 8 features pure noise."""
    n, nt, d = 240, 60, 8
    X = np.round(rng.normal(size=(n + nt, d)), 3)
    z = 1.2 * X[:, 0] - 0.8 * X[:, 1] + 1.5 * X[:, 2] * X[:, 3] + 2.0 * (X[:, 4] > 0.5) - 0.5
    y = (rng.random(n + nt) < 1 / (1 + np.exp(-z))).astype(float)
    return 'dense', X, y, n, d


def counts_case(rng):
    """Sparse small counts (about 15% nonzero) with some NaN (missing) entries, 25% positives."""
    n, nt, d = 200, 50, 20
    X = rng.poisson(0.4, size=(n + nt, d)) * (rng.random((n + nt, d)) < 0.4)
    X = X.astype(float)
    z = 1.5 * (X[:, 0] > 0) + 0.8 * X[:, 1] - 1.0 * (X[:, 2] > 1) + 0.5 * X[:, 3] - 1.8
    y = (rng.random(n + nt) < 1 / (1 + np.exp(-z))).astype(float)
    X[rng.random((n + nt, d)) < 0.05] = np.nan
    return 'counts', X, y, n, d


PARAM_SETS = [
    {},
    {'maxDepth': 3, 'learningRate': 0.1, 'maxLeaves': 10},
    {'maxDepth': 6, 'learningRate': 0.02, 'maxLeaves': 25},
    {'maxDepth': 0, 'learningRate': 0.5, 'maxLeaves': 100, 'nEstimators': 30},
    {'maxDepth': 0, 'learningRate': 0.5, 'maxLeaves': 10, 'lambda': 1, 'minChildWeight': 1, 'maxBin': 16},
]


def main():
    rng = np.random.default_rng(20240607)
    datasets = []
    for make in (dense_case, counts_case):
        name, X, y, n, d = make(rng)
        Xtr, ytr, Xte = X[:n].astype(np.float32), y[:n].astype(np.float32), X[n:].astype(np.float32)
        # Training prevalence rounded to float32, as fitGbmPath() does.
        base_score = float(np.float32(ytr.mean()))
        dtrain = xgb.DMatrix(Xtr, label=ytr, missing=np.nan, nthread=1)
        dtest = xgb.DMatrix(Xte, missing=np.nan, nthread=1)
        fits = []
        for overrides in PARAM_SETS:
            p = {**DEFAULTS, **overrides}
            params = xgb_params(p, base_score)
            booster = xgb.train([tuple(kv) for kv in params], dtrain, num_boost_round=p['nEstimators'])
            pred = booster.predict(dtest)
            fits.append({'params': overrides, 'xgbParams': params,
                         'predictions': [float(v) for v in pred]})
        datasets.append({'name': name, 'n': n, 'd': d, 'X': as_list(X[:n]), 'y': y[:n].tolist(),
                         'Xtest': as_list(X[n:]), 'baseScore': base_score, 'fits': fits})
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, 'predictions.json')
    with open(path, 'w') as f:
        json.dump({'meta': META, 'datasets': datasets}, f, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)')


if __name__ == '__main__':
    main()
