/** Instructions of SPEC 3: the task's query wrapped in the study's retrieval instruction. */

import { isMarkdownFormat } from './serialize.ts';
import type { SerializeFormat } from './serialize.ts';

/** Serialization formats the instruction can name (every serializer format). */
export type TextFormat = SerializeFormat;

/** The generic query: one embedding for all tasks. */
export const GENERIC_QUERY = 'what are the key clinical features of the patient to predict future medical events';

/** Instruction modes: the task's own query, the generic one, or none (every list of modes derives from this one). */
export const INSTRUCTION_MODES = ['task', 'generic', 'none'] as const;

/** Which instruction to use, see {@link INSTRUCTION_MODES}. */
export type InstructionMode = (typeof INSTRUCTION_MODES)[number];

/**
 * The study's instruction for a query:
 * `Given a patient's electronic healthcare record (EHR) in Markdown format, retrieve relevant
 * passages that answer the query: {query}` (for the list formats: "as a newline separated list").
 */
export function instructionFor(query: string, format: TextFormat): string {
  const what = isMarkdownFormat(format) ? 'in Markdown format' : 'as a newline separated list';
  return `Given a patient's electronic healthcare record (EHR) ${what}, retrieve relevant passages that answer the query: ${query}`;
}

/** Resolve the instruction of a mode; `taskQuery` is needed for `task`. */
export function resolveInstruction(mode: InstructionMode, format: TextFormat, taskQuery?: string): string | null {
  if (mode === 'none') return null;
  if (mode === 'generic') return instructionFor(GENERIC_QUERY, format);
  if (taskQuery === undefined || taskQuery === '') return instructionFor(GENERIC_QUERY, format);
  return instructionFor(taskQuery, format);
}
