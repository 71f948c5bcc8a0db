import type { K } from '../eval/runEvaluation.ts';

/** Order of k: numbers ascending, `all` last. */
export function compareK(a: K, b: K): number {
  if (a === b) return 0;
  if (a === 'all') return 1;
  if (b === 'all') return -1;
  return a - b;
}
