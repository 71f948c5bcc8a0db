import type { Label } from '../types.ts';
import type { TaskLabels } from './labelDataset.ts';
import type { SplitResolver } from './subjectSplitResolver.ts';
import { summarizeLabels } from './summarizeLabels.ts';
import type { TaskSpec } from './taskSpec.ts';

/**
 * Treat imported labels (see {@link importLabels}) as a task of a labeled dataset, so they get
 * split counts, a label file and few-shot samples like computed ones.
 * @param name task name
 * @param labels the labels (copied and sorted by subject, then prediction time)
 * @param splits the dataset's split resolver
 * @param options.spec a known task of the same name: its kind and group are used (default: kind
 *   `imported`, group `other`)
 * @param options.subjectIds the dataset's subjects: labels of other subjects are counted in a note
 * @param options.source the file the labels came from, named in the notes
 * @param options.presentSplits splits with subjects in the dataset (see {@link summarizeLabels})
 */
export function taskLabelsFromImport(
  name: string,
  labels: readonly Label[],
  splits: SplitResolver,
  options: { spec?: TaskSpec; subjectIds?: ReadonlySet<number>; source?: string; presentSplits?: ReadonlySet<string> } = {},
): TaskLabels {
  const sorted = [...labels].sort((a, b) => a.subjectId - b.subjectId || a.predictionTime - b.predictionTime);
  const notes: string[] = [`imported from ${options.source ?? 'a label file'}`];
  if (options.subjectIds) {
    const outside = sorted.filter((l) => !options.subjectIds?.has(l.subjectId));
    if (outside.length > 0) {
      notes.push(
        `${outside.length} of ${sorted.length} labels (${new Set(outside.map((l) => l.subjectId)).size} subjects) are for subjects not in this dataset`,
      );
    }
  }
  const info = { name, kind: options.spec?.kind ?? ('imported' as const), group: options.spec?.group ?? ('other' as const) };
  return {
    name,
    spec: options.spec ?? null,
    labels: sorted,
    skipped: {},
    summary: summarizeLabels(info, sorted, splits, notes, { presentSplits: options.presentSplits }),
  };
}
