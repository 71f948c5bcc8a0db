/**
 * A realistic ReportInput: the real few-shot evaluation (runEvaluation with the logistic head)
 * on synthetic tasks, written to JSON and parsed back as `ehr-embed evaluate` would leave it;
 * plus dataset, label, vocabulary and embedding summaries shaped like the real commands' output,
 * and example texts from the real serializer.
 */
import type { EmbedReport } from '../../src/artifacts/featuresManifest.ts';
import type { TaskData } from '../../src/eval/TaskData.ts';
import { lrHead } from '../../src/eval/lrHead.ts';
import { runEvaluation, type FeatureSet, type K } from '../../src/eval/runEvaluation.ts';
import type { DatasetStats, SplitStats } from '../../src/meds/computeDatasetStats.ts';
import type { EvaluationFile } from '../../src/artifacts/resultsFile.ts';
import type { ReportInput } from '../../src/report/ReportInput.ts';
import { serialize } from '../../src/serialize/serialize.ts';
import { sampleShots } from '../../src/tasks/sampleShots.ts';
import type { SplitCounts, TaskSummary } from '../../src/tasks/summarizeLabels.ts';
import type { LabelRunSummary } from '../../src/artifacts/labelsDir.ts';
import type { VocabularyAudit } from '../../src/vocab/auditVocabulary.ts';
import { SYNTHEA_PREDICTION_TIME, syntheaPatient, vocabulary } from '../serialize/fixtures.ts';

/** Seeded uniform numbers in [0, 1) (a linear congruential generator: enough for fixtures). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

interface SyntheticTask {
  readonly name: string;
  readonly group: 'operational' | 'lab' | 'new_diagnosis';
  readonly n: number;
  readonly prevalence: number;
  /** Signal in the embedding features and in the count features. */
  readonly embSignal: number;
  readonly countSignal: number;
}

const TASKS: readonly SyntheticTask[] = [
  { name: 'long_los', group: 'operational', n: 1500, prevalence: 0.3, embSignal: 0.8, countSignal: 0.5 },
  { name: 'readmission_30d', group: 'operational', n: 1200, prevalence: 0.15, embSignal: 0.45, countSignal: 0.4 },
  { name: 'lab_anemia', group: 'lab', n: 1200, prevalence: 0.35, embSignal: 0.6, countSignal: 0.65 },
  { name: 'new_hypertension', group: 'new_diagnosis', n: 1000, prevalence: 0.2, embSignal: 0.55, countSignal: 0.3 },
  // Rare: few positives, so the larger k are capped and skipped, as on real small datasets.
  { name: 'new_pancreatic_cancer', group: 'new_diagnosis', n: 600, prevalence: 0.04, embSignal: 0.7, countSignal: 0.4 },
];

const KS: readonly K[] = [1, 2, 4, 8, 16, 32, 'all'];
const SHOT_KS = KS.filter((k): k is number => k !== 'all');
const REPLICATES = 3;
const EMB_DIMS = 8;
const COUNT_DIMS = 6;

function splitOf(i: number): string {
  return i % 10 < 6 ? 'train' : i % 10 < 8 ? 'tuning' : 'held_out';
}

function makeTask(t: SyntheticTask, seed: number): { task: TaskData; emb: Float32Array; counts: Float32Array } {
  const rnd = lcg(seed);
  // Subject ids are unique per task (offset) so that the bootstrap resamples subjects, as in real data.
  const labels = Array.from({ length: t.n }, (_, i) => ({
    subjectId: seed * 10_000 + i,
    predictionTime: Date.UTC(2020, 0, 1) + i * 3_600_000,
    booleanValue: rnd() < t.prevalence,
  }));
  const y = Int8Array.from(labels, (l) => (l.booleanValue ? 1 : 0));
  const split = labels.map((_, i) => splitOf(i));
  const feats = (d: number, signal: number): Float32Array => {
    const X = new Float32Array(t.n * d);
    for (let i = 0; i < t.n; i++)
      for (let j = 0; j < d; j++) X[i * d + j] = (j < 2 ? (signal / (j + 1)) * (y[i] as number) : 0) + (rnd() + rnd() + rnd() - 1.5);
    return X;
  };
  const splitById = new Map(labels.map((l, i) => [l.subjectId, split[i] as string]));
  const shots = sampleShots(t.name, labels, (id) => splitById.get(id) ?? 'train', { seed: 7, ks: SHOT_KS, replicates: REPLICATES });
  return {
    task: { name: t.name, group: t.group, query: null, labels, y, split, shots },
    emb: feats(EMB_DIMS, t.embSignal),
    counts: feats(COUNT_DIMS, t.countSignal),
  };
}

function splitCounts(task: TaskData, s: string): SplitCounts {
  let labels = 0;
  let positives = 0;
  for (let i = 0; i < task.labels.length; i++) {
    if (task.split[i] !== s) continue;
    labels++;
    positives += task.y[i] as number;
  }
  return { labels, positives, negatives: labels - positives, subjects: labels, positiveSubjects: positives };
}

/** The evaluation, as results.json holds it after a JSON round trip. */
export async function syntheticEvaluation(): Promise<EvaluationFile> {
  const made = TASKS.map((t, i) => makeTask(t, i + 1));
  const tasks = made.map((m) => m.task);
  const emb = new Map(made.map((m) => [m.task.name, m.emb]));
  const counts = new Map(made.map((m) => [m.task.name, m.counts]));
  const sets: FeatureSet[] = [
    { name: 'qwen3-emb-8b', baseline: false, dims: EMB_DIMS, rows: (t) => emb.get(t) as Float32Array },
    { name: 'counts', baseline: true, dims: COUNT_DIMS, rows: (t) => counts.get(t) as Float32Array },
  ];
  // Subgroups by label position: sex alternates, age bands cycle (so each group holds both classes).
  const subgroups = (t: TaskData) => ({
    sex: t.labels.map((_, i) => (i % 2 === 0 ? 'Female' : 'Male')),
    age: t.labels.map((_, i) => ['18-39', '40-64', '65-79'][i % 3] as string),
  });
  const res = await runEvaluation(tasks, sets, [lrHead], {
    ks: KS,
    replicates: REPLICATES,
    bootstrap: 200,
    pairedResamples: 500,
    seed: 0,
    subgroups,
  });
  const file = {
    version: '0.1.0',
    createdAt: '2025-01-15T10:00:00.000Z',
    settings: {
      labels: '/data/labels',
      meds: '/data/meds',
      ks: KS,
      replicates: REPLICATES,
      heads: ['lr'],
      bootstrap: 200,
      pairedResamples: 500,
      seed: 0,
      counts: { enabled: true, timeBins: false, deciles: false },
    },
    tasks: Object.fromEntries(
      tasks.map((t) => [
        t.name,
        {
          group: t.group,
          labels: t.labels.length,
          train: splitCounts(t, 'train'),
          tuning: splitCounts(t, 'tuning'),
          held_out: splitCounts(t, 'held_out'),
        },
      ]),
    ),
    featureSets: sets.map((s) => ({ name: s.name, dims: s.dims, baseline: s.baseline })),
    ...res,
  };
  // What `evaluate` writes and the report reads: NaN bounds become null here, as on disk.
  return JSON.parse(JSON.stringify(file)) as EvaluationFile;
}

function splitStats(subjects: number, events: number): SplitStats {
  return {
    subjects,
    events,
    staticEvents: subjects * 3,
    distinctCodes: Math.round(events / 40),
    timeRange: { min: '2009-03-02T08:00:00.000Z', max: '2023-11-30T17:45:00.000Z' },
    eventsPerSubject: {
      p50: Math.round((events / subjects) * 0.8),
      p90: Math.round((events / subjects) * 2.1),
      max: Math.round((events / subjects) * 9),
    },
    describedEventShare: 0.962,
    describedCodeShare: 0.871,
    topCodes: [
      { code: 'LOINC/8867-4', description: 'Heart rate', count: Math.round(events * 0.06) },
      { code: 'LOINC/8480-6', description: 'Systolic Blood Pressure', count: Math.round(events * 0.05) },
      { code: 'SNOMED/430193006', description: 'Medication reconciliation (procedure)', count: Math.round(events * 0.01) },
      { code: 'LOCAL/XYZ-12', description: null, count: Math.round(events * 0.004) },
    ],
  };
}

function datasetStats(): DatasetStats {
  return {
    dir: '/data/meds',
    shards: 4,
    medsVersion: '0.3.3',
    ...splitStats(2000, 1_250_000),
    splits: { train: splitStats(1200, 760_000), tuning: splitStats(400, 245_000), held_out: splitStats(400, 245_000) },
    exampleSubjects: [],
  };
}

function labelSummary(ev: EvaluationFile): LabelRunSummary {
  const tasks: Record<string, LabelRunSummary['tasks'][string]> = {};
  for (const [name, t] of Object.entries(ev.tasks ?? {})) {
    const splits = { train: t.train as SplitCounts, tuning: t.tuning as SplitCounts, held_out: t.held_out as SplitCounts };
    const total = Object.values(splits).reduce((a, s) => ({
      labels: a.labels + s.labels,
      positives: a.positives + s.positives,
      negatives: a.negatives + s.negatives,
      subjects: a.subjects + s.subjects,
      positiveSubjects: a.positiveSubjects + s.positiveSubjects,
    }));
    const summary: TaskSummary = {
      task: name,
      kind: t.group === 'lab' ? 'lab' : t.group === 'operational' ? 'operational' : 'new_diagnosis',
      group: t.group as TaskSummary['group'],
      status: 'ok',
      total,
      splits,
      notes: [],
    } as TaskSummary;
    tasks[name] = { ...summary, file: `${name}.parquet`, query: null, skipped: {} };
  }
  const zero: SplitCounts = { labels: 0, positives: 0, negatives: 0, subjects: 0, positiveSubjects: 0 };
  tasks.icu_mortality_24h = {
    task: 'icu_mortality_24h',
    kind: 'icu_mortality_24h',
    group: 'operational',
    status: 'no_labels',
    total: zero,
    splits: { train: zero, tuning: zero, held_out: zero },
    notes: ['not applicable: the dataset has no ICU stays'],
    file: 'icu_mortality_24h.parquet',
    query: null,
    skipped: {},
  };
  return {
    dataset: '/data/meds',
    seed: 42,
    splitSource: 'subject_splits',
    subjects: 2000,
    subjectsPerSplit: { train: 1200, tuning: 400, held_out: 400 },
    tasks,
  };
}

function vocabularyAudit(): VocabularyAudit {
  return {
    dir: '/data/meds',
    events: 1_250_000,
    codes: 3120,
    eventShare: 0.962,
    codeShare: 0.871,
    bySource: { 'codes.parquet': 2400, 'omop-concept': 180, 'icd10cm-titles': 95, parent: 43, none: 402 },
    prefixes: [
      {
        prefix: 'LOINC',
        events: 700_000,
        codes: 900,
        describedEvents: 690_000,
        describedCodes: 850,
        eventShare: 690 / 700,
        codeShare: 850 / 900,
      },
      {
        prefix: 'SNOMED',
        events: 300_000,
        codes: 1200,
        describedEvents: 299_000,
        describedCodes: 1150,
        eventShare: 299 / 300,
        codeShare: 1150 / 1200,
      },
      { prefix: 'RxNorm', events: 200_000, codes: 800, describedEvents: 190_000, describedCodes: 700, eventShare: 0.95, codeShare: 0.875 },
      { prefix: 'LOCAL', events: 50_000, codes: 220, describedEvents: 23_500, describedCodes: 20, eventShare: 0.47, codeShare: 20 / 220 },
    ],
    undescribed: [
      { code: 'LOCAL/XYZ-12', events: 5000 },
      { code: 'LOCAL/ABC-7', events: 2100 },
    ],
  };
}

/** Token counts of `n` texts: log-normal-ish, some above the budget. */
function tokenCounts(n: number, median: number, seed: number): number[] {
  const rnd = lcg(seed);
  return Array.from({ length: n }, () => {
    const z = (rnd() + rnd() + rnd() + rnd() - 2) * 1.7;
    return Math.max(40, Math.round(median * Math.exp(0.6 * z)));
  });
}

function embedReport(counts: readonly number[], truncated: number, budget: number): EmbedReport {
  const sorted = [...counts].sort((a, b) => a - b);
  const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
  return {
    model: 'openai:Qwen/Qwen3-Embedding-8B',
    family: 'qwen3',
    description: 'Qwen3-Embedding-8B served by vLLM',
    dims: 4096,
    format: 'markdown',
    maxTokens: budget,
    tokenizer: 'qwen3',
    instruction: 'task',
    tasks: Object.fromEntries(TASKS.map((t) => [t.name, { labels: t.n, file: `${t.name}.parquet` }])),
    inputs: 2050,
    pairs: 1900,
    distinctTexts: counts.length,
    distinctInputs: 2050,
    cacheHits: 300,
    toEmbed: 1750,
    tokens: {
      mean: counts.reduce((a, b) => a + b, 0) / counts.length,
      p50: q(0.5),
      p90: q(0.9),
      max: sorted[sorted.length - 1] as number,
      truncated,
    },
    tokensToEmbed: 1_900_000,
    seconds: { serialize: 14.2, embed: 412.5 },
    dryRun: false,
    missingSubjects: 0,
  };
}

/** The full report input of the tests. */
export async function syntheticReportInput(): Promise<ReportInput> {
  const evaluation = await syntheticEvaluation();
  // Texts over the budget are cut to it, so the counts pile up at 4096 like real truncated texts.
  const raw = tokenCounts(1850, 1400, 11);
  const counts = raw.map((c) => Math.min(c, 4096));
  const examples = (['markdown', 'list'] as const).map((format) => ({
    format,
    title: 'Synthetic Synthea patient',
    text: serialize(syntheaPatient(), { predictionTime: SYNTHEA_PREDICTION_TIME, format, tokenizer: 'chars', vocabulary }).text,
  }));
  return {
    title: 'ehr-embed benchmark: synthetic demo',
    generatedAt: '2025-01-15T10:05:00.000Z',
    evaluation,
    dataset: datasetStats(),
    labels: labelSummary(evaluation),
    vocabulary: vocabularyAudit(),
    embeddings: [{ name: 'qwen3-emb-8b', report: embedReport(counts, raw.filter((c) => c > 4096).length, 4096), tokenCounts: counts }],
    examples,
    timings: [
      { step: 'convert (Synthea FHIR → MEDS)', seconds: 48.3, count: 2000, unit: 'patients', detail: '4 shards' },
      { step: 'label', seconds: 6.1, count: 2050, unit: 'labels' },
    ],
    notes: ['Synthetic data: these numbers show the report, not the method. Values like <0.5 & "quotes" are escaped.'],
  };
}
