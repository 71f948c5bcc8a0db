/**
 * Error classes shared by the library, the CLI and the server.
 *
 * A {@link UsageError} is something the user can fix (bad input, bad config): the CLI prints its
 * message without a stack trace and exits with code 2; the server answers 4xx. Anything else is a
 * bug and keeps its stack.
 */

/** Where in the input the problem was found. Every field is optional; give what is known. */
export interface ErrorLocation {
  /** File or directory path. */
  readonly file?: string;
  /** 1-based line or row number, or a record identifier. */
  readonly record?: string | number;
  /** Field or column name. */
  readonly field?: string;
}

/** A problem the user can fix. The message names the file, record and field and what was expected. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** CLI exit code for user errors. */
  readonly exitCode = 2;
  readonly location: ErrorLocation;

  constructor(message: string, location: ErrorLocation = {}, options?: { cause?: unknown }) {
    super(withLocation(message, location), options);
    this.location = location;
  }
}

/** An invariant of ehr-embed itself was broken: a bug, reported with its stack. */
export class InternalError extends Error {
  override readonly name = 'InternalError';
}

/** Prefix a message with `file, record N, field F:` where known. */
function withLocation(message: string, loc: ErrorLocation): string {
  const parts: string[] = [];
  if (loc.file !== undefined) parts.push(loc.file);
  if (loc.record !== undefined) parts.push(typeof loc.record === 'number' ? `row ${loc.record}` : `record ${loc.record}`);
  if (loc.field !== undefined) parts.push(`field "${loc.field}"`);
  return parts.length > 0 ? `${parts.join(', ')}: ${message}` : message;
}

/** True for errors the user can fix (also across module copies, hence the name check). */
export function isUsageError(err: unknown): err is UsageError {
  return err instanceof UsageError || (err instanceof Error && err.name === 'UsageError');
}
