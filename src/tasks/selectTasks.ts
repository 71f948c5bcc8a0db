import { UsageError } from '../errors.ts';
import type { TaskSpec } from './taskSpec.ts';

/**
 * Pick tasks by name from a registry (see {@link loadTaskSpecs}). `names` is a list, or one
 * comma-separated string; `all` selects every task. Throws {@link UsageError} listing the known
 * names for an unknown one.
 */
export function selectTasks(registry: ReadonlyMap<string, TaskSpec>, names: string | readonly string[]): TaskSpec[] {
  const list = (typeof names === 'string' ? names.split(',') : names).map((n) => n.trim()).filter((n) => n !== '');
  if (list.length === 0) throw new UsageError(`no task names given; known tasks: ${[...registry.keys()].join(', ')} (or "all")`);
  if (list.includes('all')) return [...registry.values()];
  const out: TaskSpec[] = [];
  for (const name of list) {
    const spec = registry.get(name);
    if (!spec) throw new UsageError(`unknown task "${name}"; known tasks: ${[...registry.keys()].join(', ')} (or "all")`);
    if (!out.includes(spec)) out.push(spec);
  }
  return out;
}
