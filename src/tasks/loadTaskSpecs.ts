import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { TaskSpecSchema, type TaskSpec } from './taskSpec.ts';

/** The task files shipped with ehr-embed: `tasks/*.json` at the package root. */
export const BUILTIN_TASKS_DIR = resolve(import.meta.dirname, '../../tasks');

/** Files in a task directory that are not tasks: the JSON Schema kept next to them for editors. */
const isTaskFile = (name: string): boolean => name.endsWith('.json') && !name.endsWith('.schema.json');

/**
 * Read and validate task specifications: every `*.json` in the built-in `tasks/` directory, then
 * every `*.json` in each extra directory (or single file) in `extra`, in order. A task in a later
 * place replaces a built-in one of the same name, so users can adjust a built-in task by copying
 * its file; two files with one name in the same place are an error.
 *
 * Throws {@link UsageError} naming the file and the field for invalid JSON or an invalid spec.
 * @param extra directories or files with more task specs (default none)
 * @param options.builtin read the built-in tasks (default true)
 * @returns tasks by name, built-in ones first, in file-name order
 */
export function loadTaskSpecs(extra: readonly string[] | string = [], options: { builtin?: boolean } = {}): Map<string, TaskSpec> {
  const places = [...(options.builtin === false ? [] : [BUILTIN_TASKS_DIR]), ...(typeof extra === 'string' ? [extra] : extra)];
  const out = new Map<string, TaskSpec>();
  for (const place of places) {
    if (!existsSync(place)) throw new UsageError('task directory or file does not exist', { file: place });
    const files = statSync(place).isDirectory()
      ? readdirSync(place)
          .filter(isTaskFile)
          .sort()
          .map((f) => join(place, f))
      : [place];
    const here = new Map<string, string>();
    for (const file of files) {
      const spec = readTaskSpec(file);
      const dup = here.get(spec.name);
      if (dup !== undefined) throw new UsageError(`task "${spec.name}" is defined twice (also in ${dup})`, { file, field: 'name' });
      here.set(spec.name, file);
      out.set(spec.name, spec);
    }
  }
  return out;
}

/** Read and validate one task file. Throws {@link UsageError} naming the file and field. */
export function readTaskSpec(file: string): TaskSpec {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`invalid JSON: ${(err as Error).message}`, { file });
  }
  const parsed = TaskSpecSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join('.') || undefined;
    const more =
      parsed.error.issues.length > 1
        ? ` (and ${parsed.error.issues.length - 1} more problem${parsed.error.issues.length > 2 ? 's' : ''})`
        : '';
    throw new UsageError(`invalid task spec: ${issue?.message ?? 'unknown problem'}${more}`, { file, ...(path ? { field: path } : {}) });
  }
  return parsed.data;
}
