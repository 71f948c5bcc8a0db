/**
 * Child process of the FitPool tests: runs an evaluation with two workers and prints its outcome,
 * without calling process.exit, so the process ends only if the pool's threads were closed.
 * `node --import tsx test/eval/fitPoolChild.ts [bad]`: with `bad`, one feature value is NaN.
 */
import { matrixFeatureSet } from '../../src/eval/featureSets.ts';
import { lrHead } from '../../src/eval/lrHead.ts';
import { runEvaluation } from '../../src/eval/runEvaluation.ts';
import { fitPoolTask } from './fitPoolTask.ts';

const d = 6;
const { task, X } = fitPoolTask('t', 160, d, 4);
// Label 0 is a labelled training row: the k = all fit meets the NaN.
if (process.argv[2] === 'bad') X[2] = Number.NaN;
try {
  const r = await runEvaluation([task], [matrixFeatureSet('m', d, new Map([['t', X]]), false)], [lrHead], {
    ks: [4, 'all'],
    replicates: 2,
    bootstrap: 20,
    pairedResamples: 20,
    workers: 2,
  });
  console.log(JSON.stringify({ runs: r.results.length }));
} catch (err) {
  console.log(JSON.stringify({ error: (err as Error).message, name: (err as Error).name }));
}
