import type { Head } from './Head.ts';
import { selectC } from './selectC.ts';

/**
 * The linear head of SPEC 5: max-abs scaling on train, L2 logistic regression with C chosen by
 * validation AUROC over the 12-value grid, refit on train. Test scores are the decision values
 * (for AUROC/AUPRC) and their probabilities (for Brier and calibration).
 */
export const lrHead: Head = {
  name: 'lr',
  fitPredict(train, val, testX, dims) {
    const sel = selectC({ X: train.X, y: train.y }, { X: val.X, y: val.y }, dims);
    const chosen = sel.scores.find((s) => s.C === sel.C);
    const scores = sel.decisionFunction(testX);
    const proba = scores.map((z) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))));
    // The fit certificate of the chosen C and the worst over the grid: results.json shows both,
    // and an uncertified fit is flagged there instead of passing silently.
    const worst = sel.scores.reduce((a, s) => Math.max(a, Number.isNaN(s.relGrad) ? Infinity : s.relGrad), 0);
    const uncertified = sel.scores.filter((s) => !s.converged).length;
    return {
      proba,
      scores,
      chosen: { C: sel.C },
      valAuroc: chosen?.auroc ?? NaN,
      fit: { relGrad: chosen?.relGrad ?? NaN, worstRelGrad: worst, uncertified, stop: sel.probe.stop },
    };
  },
};
