/**
 * Published EHRSHOT few-shot curves (SPEC 5): macro AUROC over its 4 task groups by k. They come
 * from another dataset (EHRSHOT, Stanford), so they are a point of orientation for the shape of
 * a curve, not a target the numbers of this run should match.
 */

/** One published curve. */
export interface ReferenceCurve {
  readonly name: string;
  readonly points: readonly { readonly k: number | 'all'; readonly auroc: number }[];
}

const KS = [1, 2, 4, 8, 16, 32, 64, 128, 'all'] as const;

function curve(name: string, values: readonly number[]): ReferenceCurve {
  return { name, points: KS.map((k, i) => ({ k, auroc: values[i] as number })) };
}

/** The label every chart and table uses for these curves. */
export const EHRSHOT_REFERENCE_LABEL = 'results published on EHRSHOT, a different dataset';

/** CLMBR-T-Base, count GBM and count LR as published for EHRSHOT, k = 1/2/4/8/16/32/64/128/all. */
export const EHRSHOT_REFERENCE: readonly ReferenceCurve[] = [
  curve('CLMBR-T-Base', [0.54, 0.569, 0.601, 0.628, 0.659, 0.682, 0.708, 0.728, 0.769]),
  curve('count GBM', [0.503, 0.515, 0.523, 0.564, 0.57, 0.614, 0.653, 0.683, 0.719]),
  curve('count LR', [0.524, 0.539, 0.56, 0.578, 0.599, 0.622, 0.646, 0.662, 0.696]),
];
