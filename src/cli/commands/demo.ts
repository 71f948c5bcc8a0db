import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { loadBenchmarkConfig } from '../../benchmark/BenchmarkConfig.ts';
import { runBenchmark } from '../../benchmark/runBenchmark.ts';
import { availableGbmHead } from '../../eval/gbmHead.ts';
import { cliBenchmarkProgress, printOutcome } from './benchmark.ts';

/** The demo config shipped with the package. */
export const DEMO_CONFIG = resolve(import.meta.dirname, '../../../configs/demo.yaml');

/**
 * The demo's data (Synthea STU3 FHIR, 8.8 MB) is in the git repository only: the npm package
 * leaves it out to stay small (see README "Install as a dependency").
 */
const DEMO_DATA = resolve(import.meta.dirname, '../../../data/synthea-fhir');

/** `ehr-embed demo [--out <dir>]`: the main job on the bundled data and model. */
export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'The main job on the embedded default: the bundled Synthea STU3 FHIR data (1,461 synthetic patients) converted, labeled, embedded with use-lite and evaluated against count baselines (LR and XGBoost), with an HTML report. Cold run about 10-15 minutes on 2 cores; a rerun reuses every finished step.',
    )
    .option('--out <dir>', 'output directory', 'ehr-embed-demo')
    .action(async (o: { out: string }) => {
      if (!existsSync(DEMO_DATA)) {
        throw new UsageError(
          'the demo data (data/synthea-fhir) is in the git repository, not in the npm package: run the demo from a clone (npm ci && npx ehr-embed demo)',
          { file: DEMO_DATA },
        );
      }
      const config = loadBenchmarkConfig(DEMO_CONFIG);
      const gbm = await availableGbmHead();
      if (!gbm.head) process.stderr.write(`[ehr-embed] note: ${gbm.reason}; the count GBM baseline is skipped.\n`);
      printOutcome(await runBenchmark(config, o.out, { progress: cliBenchmarkProgress(), ...(gbm.head ? { gbmHead: gbm.head } : {}) }));
    });
}
