import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { combinePartManifests, listPartManifests, writeFeaturesManifest } from '../../artifacts/featuresManifest.ts';
import { UsageError } from '../../errors.ts';
import { mergeFeatureParts } from '../../meds/featureFiles.ts';
import { makeTable } from '../table.ts';

/** `ehr-embed merge-features <features-dir>`: the parts of a sharded run into single files. */
export function mergeFeaturesCommand(): Command {
  return new Command('merge-features')
    .description(
      'Merge the part files of a sharded `embed --shard` run (<task>.part-<i>-of-<n>.parquet, manifest.part-<i>-of-<n>.json) into <task>.parquet and manifest.json, rows ordered by (subject_id, prediction_time) as a single-process run writes them, vectors copied unchanged; the merged parts are removed. Refuses an incomplete set of parts.',
    )
    .argument('<features-dir>', 'features directory the shards wrote into (their common --out)')
    .option('--json', 'print what was merged as JSON', false)
    .action(async (dir: string, o: { json: boolean }) => {
      // Check the manifests first: a missing shard or mixed settings stop before any file changes.
      const manifest = combinePartManifests(dir);
      if (manifest === undefined)
        throw new UsageError(
          'no part manifests (manifest.part-<i>-of-<n>.json) to merge: was this directory written by `ehr-embed embed --shard`?',
          { file: dir },
        );
      const merged = await mergeFeatureParts(dir);
      // A task merged by an earlier, interrupted merge has its single file already.
      const missing = Object.keys(manifest.tasks).filter(
        (t) => !merged.some((m) => m.task === t) && !existsSync(join(dir, `${t}.parquet`)),
      );
      if (missing.length > 0) throw new UsageError(`the manifests list task(s) without part files: ${missing.join(', ')}`, { file: dir });
      writeFeaturesManifest(dir, { ...manifest, createdAt: new Date().toISOString() });
      for (const name of listPartManifests(dir)) rmSync(join(dir, name), { force: true });
      if (o.json) {
        process.stdout.write(
          JSON.stringify({ dir, tasks: merged.map((m) => ({ task: m.task, parts: m.parts, rows: m.rows })) }, null, 2) + '\n',
        );
        return;
      }
      const t = makeTable(['task', 'parts', 'rows']);
      for (const m of merged) t.push([m.task, String(m.parts), String(m.rows)]);
      process.stdout.write(`${t.toString()}\nWrote ${merged.length} feature file(s) and manifest.json to ${dir}.\n`);
    });
}
