import { Command, Option } from 'commander';
import { convertToMeds } from '../../convert/convertToMeds.ts';
import type { ConversionSummary } from '../../convert/ConversionReport.ts';
import { CONVERTERS } from '../../convert/registry.ts';
import { progressBar } from '../progressBar.ts';
import { makeTable } from '../table.ts';
import { parseInteger } from '../parseOptions.ts';

/** `ehr-embed convert --from <format> --input <path> --out <meds-dir>`. */
export function convertCommand(): Command {
  return new Command('convert')
    .description(
      'Convert FHIR, Synthea CSV, OMOP CDM or EHRSHOT CSV to a MEDS dataset (streaming; bad records are skipped, counted and listed in <out>/rejects.ndjson).',
    )
    .addOption(
      new Option(
        '--from <format>',
        `source format: ${[...CONVERTERS.values()].map((c) => `${c.name} (${c.description})`).join('; ')}`,
      ).makeOptionMandatory(),
    )
    .requiredOption('--input <path>', 'input file or directory')
    .requiredOption('--out <meds-dir>', 'output MEDS directory (also gets conversion.json and rejects.ndjson)')
    .option('--strict', 'stop at the first bad record instead of skipping it', false)
    .option('--overwrite', 'replace an existing MEDS dataset in --out', false)
    .option('--seed <n>', 'seed of the 70/15/15 train/tuning/held_out hash split', (v) => parseInteger(v, '--seed'), 0)
    .option('--json', 'print the conversion summary as JSON', false)
    .action(
      async (opts: { from: string; input: string; out: string; strict: boolean; overwrite: boolean; seed: number; json: boolean }) => {
        const bar = progressBar(`convert ${opts.from}`, 'bytes');
        let result;
        try {
          result = await convertToMeds({ ...opts, onProgress: (done, total) => bar.update(done, total) });
        } finally {
          bar.stop();
        }
        if (opts.json) {
          process.stdout.write(JSON.stringify({ ...result.conversion, dataset: result.dataset, seconds: result.seconds }, null, 2) + '\n');
          return;
        }
        process.stdout.write(formatConversion(result.conversion));
        const d = result.dataset;
        process.stdout.write(
          `Wrote ${d.subjects} subjects, ${d.events} events, ${d.codes} codes in ${d.shards.length} shard(s) to ${opts.out} in ${result.seconds.toFixed(1)} s ` +
            `(splits: ${Object.entries(d.subjectsPerSplit)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}).\n` +
            (result.conversion.totals.skipped > 0
              ? `Skipped records are listed with file, line and reason in ${opts.out}/rejects.ndjson.\n`
              : ''),
        );
      },
    );
}

/** Render read/written/skipped counts per record kind, and the skip reasons. */
export function formatConversion(s: ConversionSummary): string {
  const kinds = [
    ...new Set([...Object.keys(s.read), ...Object.keys(s.written), ...Object.keys(s.skipped), ...Object.keys(s.ignored)]),
  ].sort();
  const sum = (m: Readonly<Record<string, number>> | undefined): number => Object.values(m ?? {}).reduce((a, b) => a + b, 0);
  const t = makeTable(['record kind', 'read', 'events written', 'skipped', 'ignored']);
  for (const k of kinds)
    t.push([k, String(s.read[k] ?? 0), String(s.written[k] ?? 0), String(sum(s.skipped[k])), String(sum(s.ignored[k]))]);
  t.push(['total', String(s.totals.read), String(s.totals.written), String(s.totals.skipped), String(s.totals.ignored)]);
  const lines = [t.toString()];
  const reasons = Object.entries(s.skipped).flatMap(([k, m]) => Object.entries(m).map(([r, n]) => [k, r, n] as const));
  if (reasons.length > 0) {
    const r = makeTable(['record kind', 'skipped because', 'count']);
    for (const [k, why, n] of reasons) r.push([k, why, String(n)]);
    lines.push(r.toString());
  }
  const notes = [
    ...Object.entries(s.ignored).flatMap(([k, m]) => Object.entries(m).map(([r, n]) => `${k}: ${n} ignored (${r})`)),
    ...Object.entries(s.fallbacks).flatMap(([k, m]) => Object.entries(m).map(([r, n]) => `${k}: ${n} with fallback (${r})`)),
  ];
  if (notes.length > 0) lines.push(notes.join('\n'));
  const tables = Object.entries(s.tables ?? {});
  const notConverted = tables
    .filter(([, note]) => note.startsWith('not converted: '))
    .map(([t, note]) => `${t} (${note.slice('not converted: '.length)})`);
  const absent = tables.filter(([, note]) => note.startsWith('absent')).map(([t]) => t);
  if (notConverted.length > 0) lines.push(`Tables not converted: ${notConverted.join('; ')}`);
  if (absent.length > 0) lines.push(`Tables absent (no events of these kinds): ${absent.join(', ')}`);
  return lines.join('\n') + '\n';
}
