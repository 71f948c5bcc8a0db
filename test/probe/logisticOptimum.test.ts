import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fitLogisticPath } from '../../src/probe/logistic.ts';
import { FittedLogistic } from '../../src/probe/FittedLogistic.ts';
import type { LogisticParams } from '../../src/probe/logistic.ts';
import { fitMaxAbsScaler } from '../../src/probe/maxAbsScaler.ts';
import { selectC, C_GRID } from '../../src/eval/selectC.ts';

// Exact optima on the whole 12-value C grid, C = 1e6 on separable data included, from Newton on
// the SVD-reduced problem (scripts/golden-logistic-optimum.py, relGrad <= 1e-12 each).
interface Fit {
  C: number;
  coef: number[];
  intercept: number;
  valAuroc: number;
  maxAbsCoef: number;
}
interface Dataset {
  name: string;
  d: number;
  train: { X: number[]; y: number[] };
  val: { X: number[]; y: number[] };
  chosenC: number;
  fits: Fit[];
}
const golden = JSON.parse(readFileSync(new URL('../golden/optimum/logistic-path.json', import.meta.url), 'utf8')) as {
  grid: number[];
  datasets: Dataset[];
};

/** Largest |coef - ref| (intercept included), relative to max(1, max |ref coef|). */
function relError(fit: FittedLogistic, ref: Fit): number {
  let gap = Math.abs(fit.intercept - ref.intercept);
  fit.coef.forEach((c, j) => (gap = Math.max(gap, Math.abs(c - ref.coef[j]!))));
  return gap / Math.max(1, ref.maxAbsCoef, Math.abs(ref.intercept));
}

// Stated tolerance: at the default certificate (relGrad <= 1e-8) every coefficient is within
// 1e-8 of the exact optimum, relative to max(1, max |coef|), on every dataset and C (measured:
// 5.6e-10 at most over the four variants; each test prints its largest error).
const TOLERANCE = 1e-8;

const variants: [string, Omit<LogisticParams, 'C'>][] = [
  ['auto', {}],
  ['primal', { solver: 'primal' }],
  ['gram', { solver: 'gram' }],
  ['gram, js kernels', { solver: 'gram', kernels: 'js' }],
];

test('the golden file covers the SPEC grid', () => {
  assert.deepEqual(golden.grid, [...C_GRID]);
});

for (const [label, extra] of variants) {
  test(`every fit of the C grid is certified and at the exact optimum (${label})`, (t) => {
    let worst = 0;
    let worstGrad = 0;
    for (const ds of golden.datasets) {
      const X = Float64Array.from(ds.train.X);
      const A = fitMaxAbsScaler(X, ds.d).transform(X);
      const fits = fitLogisticPath(A, ds.train.y, ds.d, golden.grid, extra);
      fits.forEach((fit, i) => {
        const ref = ds.fits[i]!;
        assert.equal(fit.C, ref.C);
        assert.ok(fit.converged && fit.stop === 'certified', `${ds.name} C=${ref.C}: stop ${fit.stop}, relGrad ${fit.relGrad}`);
        assert.ok(fit.relGrad <= 1e-8, `${ds.name} C=${ref.C}: relGrad ${fit.relGrad}`);
        const err = relError(fit, ref);
        assert.ok(err < TOLERANCE, `${ds.name} C=${ref.C}: relative coefficient error ${err}`);
        worst = Math.max(worst, err);
        worstGrad = Math.max(worstGrad, fit.relGrad);
      });
    }
    t.diagnostic(`largest relative coefficient error ${worst.toExponential(2)}, largest relGrad ${worstGrad.toExponential(2)}`);
  });
}

test('C chosen by validation AUROC equals the choice at the exact optima', () => {
  for (const ds of golden.datasets) {
    const sel = selectC({ X: Float64Array.from(ds.train.X), y: ds.train.y }, { X: Float64Array.from(ds.val.X), y: ds.val.y }, ds.d);
    assert.equal(sel.C, ds.chosenC, `${ds.name}`);
    sel.scores.forEach((s, i) =>
      assert.ok(Math.abs(s.auroc - ds.fits[i]!.valAuroc) < 1e-12, `${ds.name} C=${s.C}: val AUROC ${s.auroc} vs ${ds.fits[i]!.valAuroc}`),
    );
    assert.ok(sel.scores.every((s) => s.converged && s.relGrad <= 1e-8));
  }
});

test('a fit that cannot reach the certificate says so instead of passing as converged', () => {
  const ds = golden.datasets.find((d) => d.name === 'separable')!;
  const X = Float64Array.from(ds.train.X);
  const A = fitMaxAbsScaler(X, ds.d).transform(X);
  const [fit] = fitLogisticPath(A, ds.train.y, ds.d, [1e6], { maxIter: 2 });
  assert.equal(fit!.converged, false);
  assert.equal(fit!.stop, 'maxIter');
  assert.ok(fit!.relGrad > 1e-8);
  const json = fit!.toJSON();
  assert.equal(json.relGrad, fit!.relGrad);
  assert.equal(FittedLogistic.fromJSON(json).stop, 'maxIter');
});
