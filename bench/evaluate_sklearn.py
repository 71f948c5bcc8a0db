#!/usr/bin/python3
"""scikit-learn side of bench/evaluate.ts: the same few-shot sweep on the same arrays.

Usage: /usr/bin/python3 bench/evaluate_sklearn.py DIR
DIR holds X.f32 (row-major float32, n x d), and sweep.json written by bench/evaluate.ts:
{ n, d, y, test, Cs, runs: [{ k, replicate, train, val }] } (indices into the rows of X).
For each run: MaxAbsScaler fitted on train; LogisticRegression(solver='lbfgs', max_iter=1000)
fitted on train for each C (default tol=1e-4, cold start: what a scikit-learn user writes); C
chosen by validation AUROC, ties to the smaller C; the chosen model scores the whole test split.
Writes DIR/sklearn.json: { seconds, runs: [{ k, replicate, C, testAuroc, valAuroc, seconds }] },
where the top-level seconds covers the sweep only (not loading).
"""
import json
import os
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import MaxAbsScaler


def main(folder):
    with open(os.path.join(folder, 'sweep.json')) as f:
        sweep = json.load(f)
    n, d = sweep['n'], sweep['d']
    X = np.fromfile(os.path.join(folder, 'X.f32'), dtype='<f4').reshape(n, d)
    y = np.asarray(sweep['y'], dtype=int)
    test = np.asarray(sweep['test'])
    Cs = sorted(sweep['Cs'])
    out = []
    warnings.simplefilter('ignore', ConvergenceWarning)
    start = time.perf_counter()
    for run in sweep['runs']:
        run_start = time.perf_counter()
        tr, va = np.asarray(run['train']), np.asarray(run['val'])
        scaler = MaxAbsScaler().fit(X[tr])
        Xtr, Xva = scaler.transform(X[tr]), scaler.transform(X[va])
        best = None
        for C in Cs:
            lr = LogisticRegression(C=C, solver='lbfgs', max_iter=1000).fit(Xtr, y[tr])
            auc = roc_auc_score(y[va], lr.decision_function(Xva))
            if best is None or auc > best[0]:
                best = (auc, C, lr)
        auc, C, lr = best
        test_auc = roc_auc_score(y[test], lr.decision_function(scaler.transform(X[test])))
        out.append({'k': run['k'], 'replicate': run['replicate'], 'C': C, 'valAuroc': auc, 'testAuroc': test_auc,
                    'seconds': time.perf_counter() - run_start})
    seconds = time.perf_counter() - start
    with open(os.path.join(folder, 'sklearn.json'), 'w') as f:
        json.dump({'seconds': seconds, 'runs': out}, f)


if __name__ == '__main__':
    main(sys.argv[1])
