import { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import type { Head } from '../../eval/Head.ts';
import { writeResultsFile, type EvaluationFile } from '../../artifacts/resultsFile.ts';
import { evaluateFeatureSets } from '../../pipeline/evaluateFeatureSets.ts';
import { lrHead } from '../../eval/lrHead.ts';
import { gbmHead } from '../../eval/gbmHead.ts';
import { defaultFitWorkers } from '../../eval/FitPool.ts';
import type { K, MacroSummary } from '../../eval/runEvaluation.ts';
import { SHOT_KS } from '../../tasks/sampleShots.ts';
import { parseInteger, parsePositiveInt } from '../parseOptions.ts';
import { progressBar } from '../progressBar.ts';
import { makeTable } from '../table.ts';
import { lookupTable } from '../../lookupTable.ts';
import { parseByteSize } from '../../server/parseByteSize.ts';

const HEADS: Record<string, Head> = lookupTable({ lr: lrHead, gbm: gbmHead });

/** `ehr-embed evaluate`: few-shot probes on feature sets, with CIs and paired tests. */
export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description(
      'Few-shot evaluation (SPEC 5): for each task, feature set, head, k and replicate, select on validation shots, fit on training shots, score the test split with AUROC/AUPRC/Brier and 95% bootstrap CIs; macro AUROC over task groups; paired tests against the best count baseline (Holm-adjusted).',
    )
    .requiredOption('--labels <dir>', 'labels directory from `ehr-embed label` (task parquet files, summary.json, shots.json)')
    .option('--features <name=dir...>', 'embedding feature sets: a name and a directory of <task>.parquet files from `ehr-embed embed`', [])
    .option('--counts', 'add the count-feature baseline (needs the MEDS dataset)', false)
    .option('--time-bins', 'count features per time bin (0-30, 30-180, 180-365, 365+ days)', false)
    .option('--deciles', 'count features per numeric-value decile (edges from training rows)', false)
    .option('--ontology', 'count features also for every ancestor of a code (parent_codes in metadata/codes.parquet)', false)
    .option(
      '--counts-ext',
      'add the extended count baseline "counts-ext" (the paper\'s count-GBM ext: time bins, numeric-value deciles and ontology ancestors, all at once)',
      false,
    )
    .option('--combine', 'also evaluate each embedding set concatenated with the count features', false)
    .option('--meds <dir>', 'MEDS dataset (default: the one recorded in <labels>/summary.json)')
    .option(
      '--heads <list>',
      `prediction heads: lr (logistic regression, C by validation AUROC), gbm (XGBoost over the SPEC grid; needs Debian libxgboost0)`,
      'lr',
    )
    .option('--k <list>', 'shots per class, and/or "all"', [...SHOT_KS, 'all'].join(','))
    .option('--replicates <n>', 'replicates per k', (v) => parsePositiveInt(v, '--replicates'), 5)
    .option('--tasks <list>', 'tasks to evaluate (default: every task with labels)')
    .option('--bootstrap <n>', 'bootstrap resamples for the CIs', (v) => parsePositiveInt(v, '--bootstrap'), 1000)
    .option('--paired-resamples <n>', 'resamples of the paired tests', (v) => parsePositiveInt(v, '--paired-resamples'), 10_000)
    .option('--seed <n>', 'seed of the bootstrap', (v) => parseInteger(v, '--seed'), 0)
    .option(
      '--workers <n>',
      'worker threads for the dense fits (embedding sets); 1 fits in the main thread. Count-feature fits always run in the main thread. Results do not depend on it',
      (v) => parsePositiveInt(v, '--workers'),
      defaultFitWorkers(),
    )
    .option(
      '--max-memory <size>',
      'memory this run may use, e.g. 16gb (default: physical memory or the container limit); the run stops before loading features when its estimate is larger',
      (v) => parseByteSize(v, '--max-memory'),
    )
    .requiredOption('--out <file>', 'results JSON to write')
    .action(async (o: EvaluateCliOptions) => {
      const results = await evaluateFromCli(o);
      writeResultsFile(o.out, results);
      process.stdout.write(formatMacro(results.macro, results.bestBaseline));
      if (results.skipped.length > 0) process.stdout.write(`${results.skipped.length} run(s) skipped (reasons in ${o.out}, "skipped").\n`);
      const warnings = results.fitWarnings ?? [];
      if (warnings.length > 0) {
        // Loud: a fit that did not reach its certificate is not at the optimum, and its C choice may be an accident of the solver.
        process.stderr.write(
          `warning: ${warnings.length} run(s) have logistic fits that did not reach the optimality certificate (see "fitWarnings" in ${o.out})\n`,
        );
      }
      process.stdout.write(`Wrote ${results.results.length} results to ${o.out}.\n`);
    });
}

interface EvaluateCliOptions {
  labels: string;
  features: string[];
  counts: boolean;
  timeBins: boolean;
  deciles: boolean;
  ontology: boolean;
  countsExt: boolean;
  combine: boolean;
  meds?: string;
  heads: string;
  k: string;
  replicates: number;
  tasks?: string;
  bootstrap: number;
  pairedResamples: number;
  seed: number;
  workers: number;
  maxMemory?: number;
  out: string;
}

/** Parse the k list ("1,2,4,all"). */
export function parseKs(list: string): K[] {
  return list.split(',').map((s) => {
    const t = s.trim();
    if (t === 'all') return 'all';
    const n = Number(t);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--k expects positive integers and "all", got "${t}"`);
    return n;
  });
}

async function evaluateFromCli(o: EvaluateCliOptions): Promise<EvaluationFile> {
  const ks = parseKs(o.k);
  const heads = o.heads.split(',').map((h) => {
    const head = HEADS[h.trim()];
    if (!head) throw new UsageError(`unknown head "${h}"; known: ${Object.keys(HEADS).join(', ')}`, { field: 'heads' });
    return head;
  });
  const features = o.features.map((f) => {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new UsageError(`--features expects name=dir, got "${f}"`);
    return { name: f.slice(0, eq), dir: f.slice(eq + 1) };
  });
  let bar: ReturnType<typeof progressBar> | undefined;
  try {
    return await evaluateFeatureSets({
      labels: o.labels,
      features,
      counts: o.counts,
      timeBins: o.timeBins,
      deciles: o.deciles,
      combine: o.combine,
      ontology: o.ontology,
      countsExt: o.countsExt,
      ...(o.meds !== undefined ? { meds: o.meds } : {}),
      heads,
      ks,
      replicates: o.replicates,
      ...(o.tasks ? { tasks: o.tasks.split(',').map((t) => t.trim()) } : {}),
      bootstrap: o.bootstrap,
      pairedResamples: o.pairedResamples,
      seed: o.seed,
      workers: o.workers,
      ...(o.maxMemory !== undefined ? { maxMemory: o.maxMemory } : {}),
      // The bar starts with the first progress report (after loading), as it did before.
      onProgress: (d, t) => (bar ??= progressBar('evaluate', 'runs')).update(d, t),
    });
  } finally {
    bar?.stop();
  }
}

/** Stop before loading features that cannot fit (estimate from label counts and feature dimensions). */

/** Macro AUROC by k, one row per feature set and head. */
export function formatMacro(macro: readonly MacroSummary[], best: string | null): string {
  const ks = [...new Set(macro.map((m) => m.k))].sort((a, b) => (a === 'all' ? 1 : b === 'all' ? -1 : a - b));
  const rows = [...new Set(macro.map((m) => `${m.featureSet}|${m.head}`))];
  const t = makeTable(['feature set | head', ...ks.map(String)]);
  for (const r of rows)
    t.push([
      r + (r === best ? ' (best baseline)' : ''),
      ...ks.map((k) => macro.find((m) => `${m.featureSet}|${m.head}` === r && m.k === k)?.macroAuroc.toFixed(3) ?? '-'),
    ]);
  // Every macro number says what it averages: one line per distinct task set, with its k values.
  const sets = new Map<string, Set<string>>();
  for (const m of macro) {
    const names = Object.keys(m.tasks).sort().join(', ');
    sets.set(names, (sets.get(names) ?? new Set()).add(String(m.k)));
  }
  const covers = [...sets].map(([names, kSet]) =>
    sets.size === 1 ? `Every column averages: ${names}` : `k = ${[...kSet].join(', ')} average: ${names}`,
  );
  return `Macro AUROC by k (mean over task groups):\n${t.toString()}\n${covers.join('\n')}${covers.length ? '\n' : ''}`;
}
