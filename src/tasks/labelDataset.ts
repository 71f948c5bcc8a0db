import type { CodeMetadata, Label, Subject } from '../types.ts';
import type { LabelVocabulary } from './LabelVocabulary.ts';
import { labelSubject, taskRequirement } from './labelSubject.ts';
import { icuStays, subjectFacts } from './subjectFacts.ts';
import { subjectSplitResolver, type SplitResolver } from './subjectSplitResolver.ts';
import { summarizeLabels, type TaskSummary } from './summarizeLabels.ts';
import type { TaskSpec } from './taskSpec.ts';

/** What {@link labelDataset} reads: an open MEDS dataset fits, and so does any stream of subjects. */
export interface LabelSource {
  /** Every subject once, events sorted by time. */
  subjects(): AsyncIterable<Subject>;
  /** `metadata/subject_splits.parquet` (empty when absent). */
  readonly splits: ReadonlyMap<number, string>;
  /** `metadata/codes.parquet` rows by code: parent codes link source codes to LOINC/ICD (empty when absent). */
  readonly codes: ReadonlyMap<string, CodeMetadata>;
  /** Number of subjects, for progress. */
  readonly subjectCount: number;
}

/** Options of {@link labelDataset}. */
export interface LabelDatasetOptions {
  /** Seed of the hash split for subjects without a split in the dataset (default 0). */
  readonly seed?: number;
  /** Code hierarchy for code-set matching (default: parent codes from the dataset's codes.parquet). */
  readonly vocab?: LabelVocabulary;
  /** Called with (subjects done, total subjects) every few subjects and at the end. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Called every few subjects with the labels held so far, so a caller can stop the pass (by
   * throwing) before they outgrow a memory budget (`label --max-memory`, see `labelMemory.ts`).
   */
  readonly onLabels?: (p: LabelPassProgress) => void;
}

/** Progress of {@link labelDataset}'s pass (see {@link LabelDatasetOptions.onLabels}). */
export interface LabelPassProgress {
  readonly subjects: number;
  readonly totalSubjects: number;
  /** Labels held so far, per task (in the order of the specs). */
  readonly labels: readonly number[];
  /** Events of the largest subject so far (a subject's events are held while it is labeled). */
  readonly largestSubjectEvents: number;
}

/** One task's labels over a dataset. */
export interface TaskLabels {
  /** Task name (= label file name without `.parquet`). */
  readonly name: string;
  /** The spec the labels come from, or null for labels imported from a file. */
  readonly spec: TaskSpec | null;
  /** Sorted by subject id, then prediction time: the row order of the label file. */
  readonly labels: Label[];
  /** Candidate labels dropped, by reason (for example `"discharged on the admission day": 49`). */
  readonly skipped: Readonly<Record<string, number>>;
  /** Counts per split and notes (no labels, no positives in a split, task not applicable). */
  readonly summary: TaskSummary;
}

/** Result of {@link labelDataset}. */
export interface LabeledDataset {
  readonly tasks: TaskLabels[];
  /** The split of every subject, as used for the counts and for few-shot sampling. */
  readonly splits: SplitResolver;
  /** Subjects streamed. */
  readonly subjects: number;
  /** Their ids (to tell imported labels of other subjects apart). */
  readonly subjectIds: ReadonlySet<number>;
  /** Subjects per split. */
  readonly subjectsPerSplit: Readonly<Record<string, number>>;
  /** Subjects whose split came from the seeded hash (none when the dataset lists every subject). */
  readonly hashSplitSubjects: number;
}

const PROGRESS_EVERY = 64;

/**
 * Label a dataset for several tasks in one pass over its subjects (each subject is read once and
 * its visits extracted once, whatever the number of tasks).
 *
 * Tasks that need ICU stays (icu_transfer, icu_mortality_24h) get no labels, and a note, when no
 * subject has any: the data cannot tell a transfer from its absence.
 */
export async function labelDataset(
  dataset: LabelSource,
  specs: readonly TaskSpec[],
  options: LabelDatasetOptions = {},
): Promise<LabeledDataset> {
  const vocab = options.vocab ?? parentsFromCodes(dataset.codes);
  const splits = subjectSplitResolver(dataset.splits, options.seed ?? 0);
  const perTask = specs.map((spec) => ({
    spec,
    labels: [] as Label[],
    skipped: new Map<string, number>(),
    needsIcu: taskRequirement(spec) === 'icu_stays',
    sawIcu: false,
  }));
  const subjectsPerSplit: Record<string, number> = {};
  const subjectIds = new Set<number>();
  let done = 0;
  let hashed = 0;
  let largest = 0;
  const total = dataset.subjectCount;
  // About 100 checks per pass (at most every 64 subjects), so a small dataset is checked too.
  const labelsEvery = Math.max(1, Math.min(PROGRESS_EVERY, Math.ceil(total / 100)));
  const passLabels = (): void =>
    options.onLabels?.({
      subjects: done,
      totalSubjects: total,
      labels: perTask.map((t) => t.labels.length),
      largestSubjectEvents: largest,
    });
  for await (const subject of dataset.subjects()) {
    subjectIds.add(subject.subjectId);
    const split = splits.splitOf(subject.subjectId);
    subjectsPerSplit[split] = (subjectsPerSplit[split] ?? 0) + 1;
    if (splits.sourceOf(subject.subjectId) === 'hash') hashed++;
    for (const t of perTask) {
      const onSkip = (reason: string): void => {
        t.skipped.set(reason, (t.skipped.get(reason) ?? 0) + 1);
      };
      for (const l of labelSubject(subject, t.spec, vocab, onSkip)) t.labels.push(l);
      if (t.needsIcu && !t.sawIcu && 'icu' in t.spec && icuStays(subjectFacts(subject), t.spec.icu, vocab).length > 0) t.sawIcu = true;
    }
    done++;
    if (subject.events.length > largest) largest = subject.events.length;
    if (done % PROGRESS_EVERY === 0) options.onProgress?.(done, total);
    if (done % labelsEvery === 0) passLabels();
  }
  options.onProgress?.(done, total);
  // Once more with every subject done, before the labels are sorted and written.
  passLabels();

  const presentSplits = new Set(Object.keys(subjectsPerSplit));
  const tasks = perTask.map((t): TaskLabels => {
    const notes: string[] = [];
    let labels = t.labels;
    if (t.needsIcu && !t.sawIcu) {
      const dropped = labels.length > 0 ? `; ${labels.length} all-negative candidate labels were not kept` : '';
      notes.push(`not applicable: no subject has an ICU stay (codes ${describeIcu(t.spec)})${dropped}`);
      labels = [];
    } else if (labels.length === 0) {
      notes.push(`no labels: ${whyNoLabels(t.spec, t.skipped)}`);
    }
    labels.sort((a, b) => a.subjectId - b.subjectId || a.predictionTime - b.predictionTime);
    const skipped = Object.fromEntries([...t.skipped].sort((a, b) => b[1] - a[1]));
    return { name: t.spec.name, spec: t.spec, labels, skipped, summary: summarizeLabels(t.spec, labels, splits, notes, { presentSplits }) };
  });
  return { tasks, splits, subjects: done, subjectIds, subjectsPerSplit, hashSplitSubjects: hashed };
}

/** Parent codes from codes.parquet rows: MIMIC lab items → LOINC, MIMIC diagnoses → ICD. */
function parentsFromCodes(codes: ReadonlyMap<string, CodeMetadata>): LabelVocabulary {
  const none: readonly string[] = [];
  return { parents: (code) => codes.get(code)?.parentCodes ?? none };
}

function describeIcu(spec: TaskSpec): string {
  if (!('icu' in spec)) return 'none';
  return [...spec.icu.codes, ...spec.icu.prefixes.map((p) => `${p}*`)].join(', ');
}

function whyNoLabels(spec: TaskSpec, skipped: ReadonlyMap<string, number>): string {
  const dropped = skipped.size > 0 ? ` (candidates dropped: ${[...skipped].map(([r, n]) => `${n} ${r}`).join(', ')})` : '';
  switch (spec.kind) {
    case 'lab':
      return `no usable result of the lab test (codes ${spec.lab.codes.slice(0, 4).join(', ')}${spec.lab.codes.length > 4 ? ', ...' : ''})${dropped}`;
    case 'icu_mortality_24h':
      return `no ICU stay qualifies${dropped}`;
    default:
      return `no inpatient stay with a start and an end qualifies${dropped}`;
  }
}
