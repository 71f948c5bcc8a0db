/**
 * A task in plain words for a card's summary ("death within 365 days"), from the built-in task's
 * one-sentence description; the task name with spaces for tasks that have none.
 */
import { loadTaskSpecs } from '../../tasks/loadTaskSpecs.ts';

let builtin: Map<string, string> | undefined;

/** The built-in tasks' descriptions, read once. */
function descriptions(): Map<string, string> {
  if (!builtin) {
    builtin = new Map();
    try {
      for (const [name, spec] of loadTaskSpecs()) if (spec.description) builtin.set(name, spec.description);
    } catch {
      // A broken task file must not break scoring: every task falls back to its name.
    }
  }
  return builtin;
}

/** What a task predicts, in plain words, and the whole description when there is one. */
export function taskPhrase(task: string): { phrase: string; description: string | null } {
  const description = descriptions().get(task) ?? null;
  return { phrase: description ? (phraseOf(description) ?? humanize(task)) : humanize(task), description };
}

/** The outcome part of a built-in description. Exported for tests. */
export function phraseOf(description: string): string | null {
  const lab = /before each (.+?), predict its class: (.+?) abnormal/.exec(description);
  if (lab) return `an abnormal ${(lab[1] as string).replace(/ result$/, '')} (${lab[2]})`;
  const first = /first diagnosis of (.+?), predict that first diagnosis within \(1 day, (\d+) days\]/.exec(description);
  if (first) return `a first diagnosis of ${first[1]} within ${first[2]} days (after the next day)`;
  const m = /predict (?:whether )?(.+?)\.?$/.exec(description);
  return m ? (m[1] as string) : null;
}

function humanize(task: string): string {
  return task.replace(/[_-]+/g, ' ').trim();
}
