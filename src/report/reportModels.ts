import { COMBINED_SUFFIX } from '../eval/featureSets.ts';
import type { EvaluationFile } from '../artifacts/resultsFile.ts';

/** One evaluated model: a feature set with a prediction head. */
export interface ReportModelInfo {
  /** `featureSet|head`, the key results.json uses in comparisons and `bestBaseline`. */
  readonly key: string;
  readonly featureSet: string;
  readonly head: string;
  /** Display name, "featureSet · head". */
  readonly label: string;
  readonly baseline: boolean;
  /** An embedding set concatenated with the count features (`<set>+counts`, as evaluate and benchmark name them). */
  readonly combined: boolean;
  /** Feature dimensions, when results.json lists the feature sets. */
  readonly dims: number | null;
}

/**
 * The models of an evaluation, in a stable order: feature sets as results.json lists them (else
 * by first appearance in the results), heads in the order of the settings (else first
 * appearance). A feature set is a baseline when results.json says so; without the `featureSets`
 * field, the feature set of `bestBaseline` is the only one known to be a baseline.
 */
export function reportModels(evaluation: EvaluationFile): ReportModelInfo[] {
  const fsInfo = new Map((evaluation.featureSets ?? []).map((f) => [f.name, f]));
  const fsOrder = unique([
    ...(evaluation.featureSets ?? []).map((f) => f.name),
    ...evaluation.results.map((r) => r.featureSet),
    ...evaluation.skipped.map((s) => s.featureSet),
  ]);
  const headOrder = unique([
    ...(evaluation.settings?.heads ?? []),
    ...evaluation.results.map((r) => r.head),
    ...evaluation.skipped.map((s) => s.head),
  ]);
  const present = new Set([...evaluation.results, ...evaluation.skipped].map((r) => `${r.featureSet}|${r.head}`));
  const bestFs = evaluation.bestBaseline?.split('|')[0];
  const out: ReportModelInfo[] = [];
  for (const fs of fsOrder) {
    for (const head of headOrder) {
      const key = `${fs}|${head}`;
      if (!present.has(key)) continue;
      const info = fsInfo.get(fs);
      const baseline = info ? info.baseline : fs === bestFs;
      out.push({
        key,
        featureSet: fs,
        head,
        label: `${fs} \u00b7 ${head}`,
        baseline,
        combined: !baseline && fs.endsWith(COMBINED_SUFFIX),
        dims: info ? info.dims : null,
      });
    }
  }
  return out;
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}
