import { Command } from 'commander';
import { computeDatasetStats, type DatasetStats, type SplitStats } from '../../meds/computeDatasetStats.ts';
import { openMedsDataset } from '../../meds/MedsDataset.ts';
import { parsePositiveInt } from '../parseOptions.ts';
import { makeTable } from '../table.ts';

/** `ehr-embed stats <meds-dir> [--json]`. */
export function statsCommand(): Command {
  return new Command('stats')
    .description(
      'Summarize a MEDS dataset: subjects, events, codes, time range, events per subject, top codes and description coverage, overall and per split, and example subjects to start `serialize` from.',
    )
    .argument('<meds-dir>', 'MEDS dataset directory (with data/**/*.parquet and metadata/)')
    .option('--json', 'print the statistics as JSON instead of tables', false)
    .option('--top <n>', 'how many of the most frequent codes to list', (v) => parsePositiveInt(v, '--top'), 20)
    .option('--examples <n>', 'how many example subjects (most events first) to list', (v) => parsePositiveInt(v, '--examples'), 5)
    .action(async (dir: string, opts: { json: boolean; top: number; examples: number }) => {
      const ds = await openMedsDataset(dir);
      try {
        const stats = await computeDatasetStats(ds, { topN: opts.top, examples: opts.examples });
        process.stdout.write(opts.json ? JSON.stringify(stats, null, 2) + '\n' : formatStats(stats));
      } finally {
        ds.close();
      }
    });
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** Render stats as plain-text tables. */
export function formatStats(s: DatasetStats): string {
  const lines: string[] = [];
  lines.push(`MEDS dataset ${s.dir} (${s.shards} shard${s.shards === 1 ? '' : 's'}, MEDS ${s.medsVersion ?? 'version unknown'})`);
  const t = makeTable([
    'split',
    'subjects',
    'events',
    'static',
    'codes',
    'first event',
    'last event',
    'events/subject p50',
    'p90',
    'max',
    'described events',
  ]);
  const row = (name: string, x: SplitStats): string[] => [
    name,
    String(x.subjects),
    String(x.events),
    String(x.staticEvents),
    String(x.distinctCodes),
    x.timeRange.min?.slice(0, 10) ?? '-',
    x.timeRange.max?.slice(0, 10) ?? '-',
    String(x.eventsPerSubject.p50),
    String(Math.round(x.eventsPerSubject.p90 * 10) / 10),
    String(x.eventsPerSubject.max),
    pct(x.describedEventShare),
  ];
  for (const [name, x] of Object.entries(s.splits)) t.push(row(name, x));
  t.push(row('all', s));
  lines.push(t.toString());
  lines.push(
    `Described codes: ${pct(s.describedCodeShare)} of ${s.distinctCodes} distinct codes; ${pct(s.describedEventShare)} of events.`,
  );
  const top = makeTable(['#', 'code', 'description', 'events', 'share']);
  s.topCodes.forEach((c, i) =>
    top.push([
      String(i + 1),
      c.code,
      truncate(c.description ?? '(no description)', 60),
      String(c.count),
      pct(c.count / Math.max(1, s.events)),
    ]),
  );
  lines.push(`Top ${s.topCodes.length} codes:`);
  lines.push(top.toString());
  if (s.exampleSubjects.length > 0) {
    const ex = makeTable(['subject_id', 'source id', 'split', 'events', 'first event', 'last event']);
    for (const x of s.exampleSubjects)
      ex.push([String(x.subjectId), x.sourceId ?? '-', x.split, String(x.events), x.firstEvent ?? '-', x.lastEvent ?? '-']);
    lines.push(`Subjects with the most events (a place to start):`);
    lines.push(ex.toString());
    const first = s.exampleSubjects[0];
    if (first?.lastEvent) lines.push(`Try: ehr-embed serialize ${s.dir} --subject ${first.subjectId} --time ${first.lastEvent}`);
  }
  return lines.join('\n') + '\n';
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
