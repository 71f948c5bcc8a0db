/**
 * Fit the serving probe of one task: logistic regression on every labeled training row (split
 * `train`), C chosen by validation AUROC on the `tuning` rows ({@link selectC}, the evaluation's
 * own selection), or a fixed C when the caller gives one.
 */
import { UsageError } from '../errors.ts';
import { fitLogisticPath } from '../probe/logistic.ts';
import type { FittedLogistic } from '../probe/FittedLogistic.ts';
import { fitMaxAbsScaler } from '../probe/maxAbsScaler.ts';
import type { FittedMaxAbsScaler } from '../probe/maxAbsScaler.ts';
import { auroc } from './auroc.ts';
import type { TaskData } from './TaskData.ts';
import { selectC } from './selectC.ts';

/** How the probe was fitted. */
export interface ProbeTraining {
  /** Labels directory and features directory as given to `ehr-embed train`. */
  readonly labels: string;
  readonly features: string;
  /** Training rows (split `train`) and their positives. */
  readonly n: number;
  readonly positives: number;
  /** Tuning rows (split `tuning`) used to choose C, and their positives. */
  readonly tuningN: number;
  readonly tuningPositives: number;
  /** The chosen C. */
  readonly C: number;
  /** Whether C was chosen on tuning (false: fixed by the user). */
  readonly cSelected: boolean;
  /** AUROC on tuning at the chosen C (null when tuning lacks a class). */
  readonly validationAuroc: number | null;
  /** Validation AUROC of every C tried, in grid order (empty when C was fixed). */
  readonly cScores: readonly { readonly C: number; readonly auroc: number }[];
}

/** Options of {@link trainProbe}. */
export interface TrainProbeOptions {
  /** Fix C instead of choosing it on tuning (default: choose from `C_GRID`). */
  readonly C?: number;
}

/** Result of {@link trainProbe}: the fitted head and its summary (labels/features paths left for the caller). */
export interface TrainedProbe {
  readonly scaler: FittedMaxAbsScaler;
  readonly logistic: FittedLogistic;
  readonly summary: Omit<ProbeTraining, 'labels' | 'features'>;
}

/**
 * Fit a probe for `task` on its feature rows.
 *
 * @param task - the task's labels, outcomes and splits ({@link TaskData}).
 * @param X - row-major features aligned with `task.labels` (`task.labels.length * d` values).
 * @param d - feature dimension.
 * @throws UsageError when train lacks a class, or tuning lacks a class and no C was given.
 */
export function trainProbe(task: TaskData, X: Float32Array, d: number, options: TrainProbeOptions = {}): TrainedProbe {
  if (X.length !== task.labels.length * d)
    throw new UsageError(`features have ${X.length} values for ${task.labels.length} labels of ${d} dimensions`, { field: 'features' });
  const rows = (split: string): number[] => {
    const out: number[] = [];
    for (let i = 0; i < task.labels.length; i++) if (task.split[i] === split && (task.y[i] as number) >= 0) out.push(i);
    return out;
  };
  const take = (idx: readonly number[]): { X: Float32Array; y: Uint8Array; positives: number } => {
    const out = new Float32Array(idx.length * d);
    const y = new Uint8Array(idx.length);
    let positives = 0;
    idx.forEach((r, i) => {
      out.set(X.subarray(r * d, (r + 1) * d), i * d);
      y[i] = task.y[r] as number;
      positives += y[i] as number;
    });
    return { X: out, y, positives };
  };
  const train = take(rows('train'));
  const tuning = take(rows('tuning'));
  const n = train.y.length;
  if (n === 0 || train.positives === 0 || train.positives === n) {
    throw new UsageError(
      `task "${task.name}" needs positive and negative labels in the train split (has ${train.positives} positive of ${n})`,
      { field: 'task' },
    );
  }
  const tuningBoth = tuning.positives > 0 && tuning.positives < tuning.y.length;
  const base = { n, positives: train.positives, tuningN: tuning.y.length, tuningPositives: tuning.positives };
  if (options.C !== undefined) {
    if (!(options.C > 0) || !Number.isFinite(options.C))
      throw new UsageError(`C must be a positive number, got ${options.C}`, { field: 'C' });
    const scaler = fitMaxAbsScaler(train.X, d);
    // Scaled as the solver copies the rows (no scaled copy of the training matrix), as selectC does.
    const logistic = fitLogisticPath(train.X, train.y, d, [options.C], { scale: scaler.scale })[0] as FittedLogistic;
    const validationAuroc = tuningBoth ? auroc(tuning.y, logistic.decisionFunction(scaler.transform(tuning.X))) : null;
    return { scaler, logistic, summary: { ...base, C: options.C, cSelected: false, validationAuroc, cScores: [] } };
  }
  if (!tuningBoth) {
    throw new UsageError(
      `task "${task.name}" has ${tuning.positives} positive of ${tuning.y.length} tuning labels: choosing C needs both classes in the tuning split (fix C instead: ehr-embed train --c <value>)`,
      { field: 'task' },
    );
  }
  const sel = selectC(train, tuning, d);
  const chosen = sel.scores.find((s) => s.C === sel.C);
  return {
    scaler: sel.scaler,
    logistic: sel.probe,
    summary: {
      ...base,
      C: sel.C,
      cSelected: true,
      validationAuroc: chosen?.auroc ?? null,
      cScores: sel.scores.map((s) => ({ C: s.C, auroc: s.auroc })),
    },
  };
}
