/**
 * The MEDS dataset (and optional labels directory) the inspector browses: subjects with their
 * source ids and splits, one subject's events, the dataset's code descriptions, and the labels
 * of a subject (prediction times worth looking at).
 */
import { join } from 'node:path';
import { readLabelsDir, tasksWithLabels } from '../artifacts/labelsDir.ts';
import { isUsageError } from '../errors.ts';
import { readLabels } from '../meds/labels.ts';
import { openMedsDataset, type MedsDataset } from '../meds/MedsDataset.ts';
import type { Vocabulary } from '../serialize/vocabulary.ts';
import type { Subject } from '../types.ts';
import { buildVocabulary } from '../vocab/VocabularyChain.ts';
import { ApiError } from './ApiError.ts';

/** A label of a subject, for picking a prediction time. */
export interface InspectorLabel {
  readonly task: string;
  /** ISO 8601. */
  readonly predictionTime: string;
  /** The label's value (boolean, number or category), or null. */
  readonly value: boolean | number | string | null;
}

/** A subject in the list. */
export interface SubjectSummary {
  readonly subjectId: number;
  readonly sourceId: string | null;
  readonly split: string | null;
  /** Labels of the subject in the labels directory (0 without one). */
  readonly labels: number;
}

/** One subject's facts for the inspector. */
export interface SubjectDetail extends SubjectSummary {
  readonly events: number;
  /** ISO 8601 times of the first and last timed events (null when none). */
  readonly firstTime: string | null;
  readonly lastTime: string | null;
  readonly labelList: readonly InspectorLabel[];
}

const SUBJECT_CACHE = 16;

/** An open dataset for the inspector. Close it with {@link InspectorDataset.close}. */
export class InspectorDataset {
  readonly dir: string;
  readonly labelsDir: string | null;
  /** The dataset's description chain (codes.parquet, then parents), as `ehr-embed embed` builds it. */
  readonly vocabulary: Vocabulary;
  private readonly ds: MedsDataset;
  private readonly labels: ReadonlyMap<number, InspectorLabel[]>;
  private readonly recent = new Map<number, Subject>();
  // DuckDB reads of one connection run one at a time; requests queue here.
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    dir: string,
    labelsDir: string | null,
    ds: MedsDataset,
    vocabulary: Vocabulary,
    labels: ReadonlyMap<number, InspectorLabel[]>,
  ) {
    this.dir = dir;
    this.labelsDir = labelsDir;
    this.ds = ds;
    this.vocabulary = vocabulary;
    this.labels = labels;
  }

  /**
   * Open a MEDS dataset and, optionally, a labels directory of it.
   *
   * @throws UsageError for an unreadable dataset or labels directory.
   */
  static async open(dir: string, labelsDir?: string): Promise<InspectorDataset> {
    const ds = await openMedsDataset(dir);
    try {
      const codes = await ds.distinctCodes();
      const vocabulary = await buildVocabulary({ codes, datasetCodes: ds.codes });
      const labels = new Map<number, InspectorLabel[]>();
      if (labelsDir !== undefined) {
        const ld = readLabelsDir(labelsDir);
        for (const task of tasksWithLabels(ld)) {
          const file = ld.summary.tasks[task]?.file;
          if (file === undefined) continue;
          for (const l of await readLabels(join(labelsDir, file))) {
            const list = labels.get(l.subjectId) ?? [];
            list.push({
              task,
              predictionTime: new Date(l.predictionTime).toISOString(),
              value: l.booleanValue ?? l.integerValue ?? l.floatValue ?? l.categoricalValue ?? null,
            });
            labels.set(l.subjectId, list);
          }
        }
        for (const list of labels.values())
          list.sort((a, b) => a.predictionTime.localeCompare(b.predictionTime) || a.task.localeCompare(b.task));
      }
      return new InspectorDataset(dir, labelsDir ?? null, ds, vocabulary, labels);
    } catch (err) {
      ds.close();
      throw err;
    }
  }

  /** Number of subjects. */
  get subjectCount(): number {
    return this.ds.subjectCount;
  }

  /**
   * A page of subjects, optionally filtered by `query` (a prefix of the subject id or part of the
   * source id).
   */
  listSubjects(offset: number, limit: number, query = ''): { total: number; subjects: SubjectSummary[] } {
    const q = query.trim().toLowerCase();
    let ids = this.ds.subjectIds();
    if (q !== '') ids = ids.filter((id) => String(id).startsWith(q) || (this.ds.sourceIds.get(id)?.toLowerCase().includes(q) ?? false));
    return { total: ids.length, subjects: ids.slice(offset, offset + limit).map((id) => this.summary(id)) };
  }

  /** A subject's facts; ApiError 404 when unknown. */
  async subjectDetail(idOrSource: number | string): Promise<SubjectDetail> {
    const { subject } = await this.lookup(idOrSource);
    let first: number | null = null;
    let last: number | null = null;
    for (const e of subject.events) {
      if (e.time === null) continue;
      if (first === null) first = e.time;
      last = e.time;
    }
    return {
      ...this.summary(subject.subjectId),
      events: subject.events.length,
      firstTime: first === null ? null : new Date(first).toISOString(),
      lastTime: last === null ? null : new Date(last).toISOString(),
      labelList: this.labels.get(subject.subjectId) ?? [],
    };
  }

  /** A subject's events and the dataset's vocabulary; ApiError 404 when unknown. */
  readonly lookup = async (idOrSource: number | string): Promise<{ subject: Subject; vocabulary: Vocabulary }> => {
    let id: number;
    try {
      id = this.ds.resolveSubjectId(idOrSource);
    } catch (err) {
      if (isUsageError(err))
        throw new ApiError(
          404,
          'unknown_subject',
          `unknown subject "${String(idOrSource)}": not a subject_id or source id of the loaded dataset`,
          'subjectId',
        );
      throw err;
    }
    const hit = this.recent.get(id);
    if (hit) return { subject: hit, vocabulary: this.vocabulary };
    const run = this.queue.then(() => this.ds.getSubject(id));
    this.queue = run.catch(() => undefined);
    const subject = await run;
    this.recent.set(id, subject);
    if (this.recent.size > SUBJECT_CACHE) this.recent.delete(this.recent.keys().next().value as number);
    return { subject, vocabulary: this.vocabulary };
  };

  /** Release the dataset. */
  close(): void {
    this.ds.close();
  }

  private summary(id: number): SubjectSummary {
    return {
      subjectId: id,
      sourceId: this.ds.sourceIds.get(id) ?? null,
      split: this.ds.splitOf(id) ?? null,
      labels: this.labels.get(id)?.length ?? 0,
    };
  }
}
