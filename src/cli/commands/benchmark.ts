import { resolve } from 'node:path';
import { Command } from 'commander';
import { loadBenchmarkConfig } from '../../benchmark/BenchmarkConfig.ts';
import { runBenchmark, type BenchmarkOutcome, type BenchmarkProgress } from '../../benchmark/runBenchmark.ts';
import { availableGbmHead } from '../../eval/gbmHead.ts';
import { defaultFitWorkers } from '../../eval/FitPool.ts';
import { parsePositiveInt } from '../parseOptions.ts';
import type { MacroSummary } from '../../eval/runEvaluation.ts';
import { formatMacro } from './evaluate.ts';
import { progressBar, type ProgressBar } from '../progressBar.ts';

/** The unit a benchmark step counts, from its label's first word (`convert` reads bytes). */
function stepUnit(label: string): string {
  const units: ReadonlyMap<string, string> = new Map([
    ['convert', 'bytes'],
    ['label', 'subjects'],
    ['serialize', 'texts'],
    ['embed', 'inputs'],
    ['evaluate', 'runs'],
  ]);
  return units.get(label.split(' ')[0] ?? '') ?? 'items';
}

/** Progress on stderr: a line per step, a bar within a step (on a terminal; a line every 15 s elsewhere). */
export function cliBenchmarkProgress(): BenchmarkProgress {
  let bar: ProgressBar | null = null;
  let label = '';
  return {
    step(name, status, seconds) {
      bar?.stop();
      bar = null;
      if (status === 'start') process.stderr.write(`[ehr-embed] ${name}...\n`);
      else
        process.stderr.write(
          `[ehr-embed] ${name}: ${status === 'reused' ? 'reused (finished earlier)' : `done in ${(seconds ?? 0).toFixed(1)} s`}\n`,
        );
    },
    tick(l, done, total) {
      if (l !== label) {
        bar?.stop();
        bar = progressBar(l, stepUnit(l));
        label = l;
      }
      bar?.update(done, total);
    },
  };
}

/** Print the end-of-run summary. */
export function printOutcome(o: BenchmarkOutcome): void {
  process.stdout.write(formatMacro((o.results as { macro: MacroSummary[] }).macro, o.results.bestBaseline));
  const t = o.timings.map((x) => `${x.step} ${x.seconds.toFixed(1)} s${x.reused ? ' (reused)' : ''}`).join('; ');
  process.stdout.write(`Steps: ${t}\nReport: ${resolve(o.out, 'report.html')} (and report.md, results.json, manifest.json)\n`);
}

/** `ehr-embed benchmark <config> --out <dir>`. */
export function benchmarkCommand(): Command {
  return new Command('benchmark')
    .description(
      'Run a benchmark from a YAML/JSON config (data, tasks, serializations, embedding models, baselines, few-shot settings): convert, label, embed, evaluate, report. Finished steps are reused on a rerun, so an interrupted run resumes. Writes results.json, report.html, report.md and manifest.json. The config schema is docs/benchmark-config.schema.json.',
    )
    .argument('<config>', 'config file (.yaml or .json)')
    .requiredOption('--out <dir>', 'output directory')
    .option(
      '--workers <n>',
      "worker threads for the evaluation's dense fits; 1 fits in the main thread. Results do not depend on it",
      (v) => parsePositiveInt(v, '--workers'),
      defaultFitWorkers(),
    )
    .action(async (file: string, o: { out: string; workers: number }) => {
      const config = loadBenchmarkConfig(file);
      const gbm = await availableGbmHead();
      printOutcome(
        await runBenchmark(config, o.out, {
          progress: cliBenchmarkProgress(),
          workers: o.workers,
          ...(gbm.head ? { gbmHead: gbm.head } : {}),
        }),
      );
    });
}
