import { UsageError } from '../errors.ts';
import { loadXGBoost } from '../probe/xgboostLib.ts';
import type { Head, HeadResult } from './Head.ts';
import { selectGbm, type GbmLabelledFeatures } from './selectGbm.ts';
import type { FeatureMatrix } from '../probe/logistic.ts';
import type { CsrMatrix } from '../probe/csrMatrix.ts';

/**
 * The gradient-boosted-trees head of the count baseline (SPEC 5): XGBoost over the SPEC grid
 * (depth x learning rate x leaves), chosen by validation AUROC, fitted on train.
 */
export const gbmHead: Head = {
  name: 'gbm',
  spec: { kind: 'gbm' },
  fitPredict(train, val, testX, dims) {
    // One thread: few-shot matrices are small, and OpenMP threads on a shared 2-core machine cost more than they give.
    return fitPredictGbm(train, val, testX, dims);
  },
  fitPredictCsr(train, val, testX) {
    // XGBoost reads the CSR arrays directly (XGDMatrixCreateFromCSREx): absent counts are missing values.
    return fitPredictGbm(train, val, testX, train.X.nCols);
  },
};

function fitPredictGbm(train: GbmLabelledFeatures, val: GbmLabelledFeatures, testX: FeatureMatrix | CsrMatrix, dims: number): HeadResult {
  const sel = selectGbm({ X: train.X, y: train.y }, { X: val.X, y: val.y }, dims, { nThread: 1 });
  const best = sel.scores.find(
    (s) =>
      s.config.maxDepth === sel.config.maxDepth &&
      s.config.learningRate === sel.config.learningRate &&
      s.config.maxLeaves === sel.config.maxLeaves,
  );
  return {
    proba: sel.predictProba(testX),
    chosen: {
      maxDepth: sel.config.maxDepth === 0 ? 'none' : sel.config.maxDepth,
      learningRate: sel.config.learningRate,
      maxLeaves: sel.config.maxLeaves,
    },
    valAuroc: best?.auroc ?? NaN,
  };
}

/** The GBM head when XGBoost can be loaded, else null and the reason (the library's message). */
export async function availableGbmHead(): Promise<{ head: Head | null; reason: string }> {
  try {
    loadXGBoost();
    return { head: gbmHead, reason: '' };
  } catch (err) {
    if (err instanceof UsageError) return { head: null, reason: err.message };
    throw err;
  }
}
