import type { Head } from './Head.ts';
import { selectC } from './selectC.ts';

/**
 * The linear head of SPEC 5: max-abs scaling on train, L2 logistic regression with C chosen by
 * validation AUROC over the 12-value grid, refit on train.
 */
export const lrHead: Head = {
  name: 'lr',
  fitPredict(train, val, testX, dims) {
    const sel = selectC({ X: train.X, y: train.y }, { X: val.X, y: val.y }, dims);
    const chosen = sel.scores.find((s) => s.C === sel.C);
    return { proba: sel.predictProba(testX), chosen: { C: sel.C }, valAuroc: chosen?.auroc ?? NaN };
  },
};
