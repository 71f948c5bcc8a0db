import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import type { LabelsDir } from '../artifacts/labelsDir.ts';
import { readLabels } from '../meds/labels.ts';
import type { EmbedTask } from './embedLabels.ts';

/**
 * The tasks to embed from a labels directory: each task's query and its label rows (subject and
 * prediction time), in the order given. Shared by `ehr-embed embed` and the benchmark runner.
 *
 * @throws UsageError for a task the directory has no labels for, listing the known ones
 */
export async function readEmbedTasks(ld: LabelsDir, names: readonly string[]): Promise<EmbedTask[]> {
  const tasks: EmbedTask[] = [];
  for (const name of names) {
    const t = ld.summary.tasks[name];
    if (!t)
      throw new UsageError(`unknown task "${name}" in ${ld.dir}; known: ${Object.keys(ld.summary.tasks).sort().join(', ')}`, {
        field: 'tasks',
      });
    tasks.push({ name, query: t.query, labels: await readLabels(join(ld.dir, t.file)) });
  }
  return tasks;
}
