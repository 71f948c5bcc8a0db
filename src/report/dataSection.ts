import { basename } from 'node:path';
import type { SplitStats } from '../meds/computeDatasetStats.ts';
import type { SplitCounts } from '../tasks/summarizeLabels.ts';
import type { ReportModel } from './buildReportModel.ts';
import { formatCount, formatPercent } from './formatMetric.ts';
import type { Block, Cell, Row, Section } from './ReportDocument.ts';

const SPLITS = ['train', 'tuning', 'held_out'] as const;

/** Data and label statistics: dataset per split, labels per task and split, coverage, text length. */
export function dataSection(m: ReportModel): Section {
  const blocks: Block[] = [...datasetBlocks(m), ...labelBlocks(m), ...coverageBlocks(m), ...tokenBlocks(m)];
  return { id: 'data', title: 'Data and labels', blocks };
}

function datasetBlocks(m: ReportModel): Block[] {
  const ds = m.input.dataset;
  if (!ds) return [];
  const row = (name: string, s: SplitStats): Row => ({
    data: { split: name },
    cells: [
      { text: name },
      { text: formatCount(s.subjects), num: true, data: { subjects: String(s.subjects) } },
      { text: formatCount(s.events), num: true, data: { events: String(s.events) } },
      {
        text: `${formatCount(s.eventsPerSubject.p50)} / ${formatCount(s.eventsPerSubject.p90)} / ${formatCount(s.eventsPerSubject.max)}`,
        num: true,
      },
      { text: formatCount(s.distinctCodes), num: true },
      { text: s.timeRange.min && s.timeRange.max ? `${s.timeRange.min.slice(0, 10)} to ${s.timeRange.max.slice(0, 10)}` : '\u2014' },
      { text: formatPercent(s.describedEventShare), num: true },
    ],
  });
  const blocks: Block[] = [
    { kind: 'heading', text: 'Dataset' },
    {
      kind: 'paragraphs',
      items: [
        `MEDS dataset ${basename(ds.dir)}${ds.medsVersion ? ` (MEDS ${ds.medsVersion})` : ''}, ${formatCount(ds.shards)} data ${ds.shards === 1 ? 'shard' : 'shards'}; ${formatCount(ds.staticEvents)} events without a time (static facts such as sex).`,
      ],
    },
    {
      kind: 'table',
      table: {
        id: 'dataset',
        headers: [
          { text: 'Split' },
          { text: 'Subjects', num: true },
          { text: 'Events', num: true },
          { text: 'Events per subject (median / 90th pct / max)', num: true },
          { text: 'Distinct codes', num: true },
          { text: 'Time range' },
          { text: 'Events with a description', num: true },
        ],
        bodies: [[row('all', ds), ...Object.entries(ds.splits).map(([name, s]) => row(name, s))]],
        notes: ['held_out is the test split; tuning is used to choose model settings (validation).'],
      },
    },
  ];
  if (ds.topCodes.length > 0) {
    blocks.push({
      kind: 'details',
      summary: `The ${ds.topCodes.length} most frequent codes`,
      blocks: [
        {
          kind: 'table',
          table: {
            id: 'top-codes',
            headers: [{ text: 'Code' }, { text: 'Description' }, { text: 'Events', num: true }],
            bodies: [
              ds.topCodes.map((c) => ({
                cells: [{ text: c.code }, { text: c.description ?? '(no description)' }, { text: formatCount(c.count), num: true }],
              })),
            ],
          },
        },
      ],
    });
  }
  return blocks;
}

interface LabelTaskRow {
  readonly name: string;
  readonly group: string;
  readonly status: string | null;
  readonly splits: Readonly<Record<string, SplitCounts | undefined>>;
  readonly notes: readonly string[];
}

function labelBlocks(m: ReportModel): Block[] {
  const summary = m.input.labels;
  const evTasks = m.input.evaluation.tasks;
  const rows: LabelTaskRow[] = summary
    ? Object.entries(summary.tasks).map(([name, t]) => ({ name, group: t.group, status: t.status, splits: t.splits, notes: t.notes }))
    : Object.entries(evTasks ?? {}).map(([name, t]) => ({
        name,
        group: t.group,
        status: null,
        splits: { train: t.train, tuning: t.tuning, held_out: t.held_out },
        notes: [],
      }));
  if (rows.length === 0) return [];
  const ev = m.input.evaluation;
  const evaluated = new Set([...Object.keys(ev.tasks ?? {}), ...ev.results.map((r) => r.task), ...ev.skipped.map((r) => r.task)]);
  const order = new Map(m.tasks.map((t, i) => [t.name, i]));
  rows.sort((a, b) => (order.get(a.name) ?? Infinity) - (order.get(b.name) ?? Infinity) || a.name.localeCompare(b.name));
  const countCell = (c: SplitCounts | undefined, split: string): Cell =>
    c
      ? {
          text: `${formatCount(c.labels)} (${formatCount(c.positives)})`,
          num: true,
          ...(c.labels > 0 && c.positives === 0 ? { cls: 'sig-down' } : {}),
          data: { split, labels: String(c.labels), positives: String(c.positives) },
        }
      : { text: '\u2014', num: true };
  const body: Row[] = rows.map((t) => {
    const notes = [...t.notes];
    // A split with labels but no positives makes every metric of that split undefined: always say so.
    for (const s of SPLITS) {
      const c = t.splits[s];
      if (c && c.labels > 0 && c.positives === 0 && !notes.some((n) => n.includes(s))) notes.push(`no positive labels in ${s}`);
    }
    if (!evaluated.has(t.name)) notes.push('not evaluated');
    return {
      data: { task: t.name },
      cells: [
        { text: t.name },
        { text: t.group },
        { text: t.status ?? '\u2014' },
        ...SPLITS.map((s) => countCell(t.splits[s], s)),
        { text: notes.join('; ') },
      ],
    };
  });
  const blocks: Block[] = [{ kind: 'heading', text: 'Labels per task and split' }];
  if (summary) {
    const per = Object.entries(summary.subjectsPerSplit)
      .map(([s, n]) => `${s} ${formatCount(n)}`)
      .join(', ');
    const source = {
      subject_splits: "the dataset's subject_splits file",
      hash: `a seeded hash of the subject id (seed ${summary.seed})`,
      mixed: `the dataset's subject_splits file, and a seeded hash (seed ${summary.seed}) for subjects it does not list`,
    }[summary.splitSource];
    blocks.push({
      kind: 'paragraphs',
      items: [
        `${formatCount(summary.subjects)} subjects: ${per}. Splits come from ${source}; every label of a subject is in that subject's split, so no patient is in both training and test data.`,
      ],
    });
  }
  blocks.push({
    kind: 'table',
    table: {
      id: 'labels',
      headers: [
        { text: 'Task' },
        { text: 'Group' },
        { text: 'Status' },
        ...SPLITS.map((s): Cell => ({ text: `${s} labels (positive)`, num: true })),
        { text: 'Notes' },
      ],
      bodies: [body],
      notes: [
        'Lab tasks count abnormal results as positive. A split with labels but no positives gets a note (and is red in report.html): a metric needs both outcomes.',
      ],
    },
  });
  return blocks;
}

function coverageBlocks(m: ReportModel): Block[] {
  const a = m.input.vocabulary;
  const ds = m.input.dataset;
  if (!a) {
    if (!ds) return [];
    return [
      { kind: 'heading', text: 'Code descriptions' },
      {
        kind: 'paragraphs',
        items: [
          `${formatPercent(ds.describedEventShare)} of events (${formatPercent(ds.describedCodeShare)} of distinct codes) have a text description in codes.parquet; the others appear in the text as a readable form of the code.`,
        ],
      },
    ];
  }
  const sources = Object.entries(a.bySource)
    .filter(([s, n]) => s !== 'none' && n > 0)
    .map(([s, n]) => `${s} ${formatCount(n)}`);
  const blocks: Block[] = [
    { kind: 'heading', text: 'Code descriptions' },
    {
      kind: 'paragraphs',
      items: [
        `${formatPercent(a.eventShare)} of ${formatCount(a.events)} events (${formatPercent(a.codeShare)} of ${formatCount(a.codes)} distinct codes) have a text description${sources.length > 0 ? ` (distinct codes described by ${sources.join(', ')})` : ''}. Codes without one appear in the text in a readable form of the code itself, which a language model understands less well.`,
      ],
    },
    {
      kind: 'table',
      table: {
        id: 'coverage',
        headers: [
          { text: 'Vocabulary' },
          { text: 'Events', num: true },
          { text: 'Distinct codes', num: true },
          { text: 'Events described', num: true },
          { text: 'Codes described', num: true },
        ],
        bodies: [
          a.prefixes.slice(0, 20).map((p) => ({
            cells: [
              { text: p.prefix },
              { text: formatCount(p.events), num: true },
              { text: formatCount(p.codes), num: true },
              { text: formatPercent(p.eventShare), num: true },
              { text: formatPercent(p.codeShare), num: true },
            ],
          })),
        ],
        ...(a.prefixes.length > 20 ? { notes: [`The 20 largest of ${a.prefixes.length} vocabularies.`] } : {}),
      },
    },
  ];
  if (a.undescribed.length > 0) {
    blocks.push({
      kind: 'details',
      summary: `The ${a.undescribed.length} most frequent codes without a description`,
      blocks: [
        {
          kind: 'table',
          table: {
            id: 'undescribed',
            headers: [{ text: 'Code' }, { text: 'Events', num: true }],
            bodies: [a.undescribed.map((u) => ({ cells: [{ text: u.code }, { text: formatCount(u.events), num: true }] }))],
          },
        },
      ],
    });
  }
  return blocks;
}

function tokenBlocks(m: ReportModel): Block[] {
  const runs = m.input.embeddings ?? [];
  if (runs.length === 0) return [];
  const body: Row[] = runs.map(({ name, report: r }) => ({
    data: { featureSet: name },
    cells: [
      { text: name },
      { text: r.model, sub: r.family },
      { text: r.format },
      { text: r.tokenizer },
      { text: r.maxTokens !== null ? formatCount(r.maxTokens) : 'none', num: true },
      { text: formatCount(r.distinctTexts), num: true },
      {
        text: `${formatCount(r.tokens.mean)} / ${formatCount(r.tokens.p50)} / ${formatCount(r.tokens.p90)} / ${formatCount(r.tokens.max)}`,
        num: true,
      },
      {
        text: `${formatCount(r.tokens.truncated)} (${formatPercent(r.distinctTexts > 0 ? r.tokens.truncated / r.distinctTexts : NaN)})`,
        num: true,
        data: { truncated: String(r.tokens.truncated) },
      },
    ],
  }));
  const blocks: Block[] = [
    { kind: 'heading', text: 'Text length and truncation' },
    {
      kind: 'table',
      table: {
        id: 'tokens',
        headers: [
          { text: 'Feature set' },
          { text: 'Embedding model' },
          { text: 'Format' },
          { text: 'Tokenizer' },
          { text: 'Token budget', num: true },
          { text: 'Distinct texts', num: true },
          { text: 'Tokens (mean / median / 90th pct / max)', num: true },
          { text: 'Truncated texts', num: true },
        ],
        bodies: [body],
        notes: [
          'A truncated text was cut to fit the token budget: the oldest history goes first (SPEC 2), so the model sees less of the record.',
        ],
      },
    },
  ];
  if (runs.some((r) => r.tokenCounts && r.tokenCounts.length > 0)) {
    blocks.push({
      kind: 'chart',
      chart: 'tokens',
      title: 'Token length per text',
      caption:
        'Histogram of tokens per serialized text, per embedding run. The dashed red line is the token budget: longer texts were cut to fit it, so they pile up just below it.',
    });
  }
  return blocks;
}
