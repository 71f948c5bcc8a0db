/**
 * Checks of the `?key=value` options of model specs (`use-lite?chunks=4`,
 * `onnx:<dir>?pooling=mean`, `gguf:<file>?threads=4`), with one wording for every backend.
 */
import { UsageError } from '../errors.ts';

const bad = (backend: string, key: string, expects: string, value: string): UsageError =>
  new UsageError(`${backend} option ${key} expects ${expects}, got "${value}"`, { field: 'model' });

/** A positive integer option value. */
export function positiveIntOption(backend: string, key: string, value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw bad(backend, key, 'a positive integer', value);
  return Number(value);
}

/** A `true` / `false` option value. */
export function booleanOption(backend: string, key: string, value: string): boolean {
  if (value !== 'true' && value !== 'false') throw bad(backend, key, 'true or false', value);
  return value === 'true';
}

/** An option value from a fixed list. */
export function choiceOption<T extends string>(backend: string, key: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) throw bad(backend, key, `one of ${choices.join(', ')}`, value);
  return value as T;
}

/** The error for an option a backend does not know. */
export function unknownOption(backend: string, key: string, known: readonly string[]): UsageError {
  return new UsageError(`unknown ${backend} option "${key}" (known: ${known.join(', ')})`, { field: 'model' });
}
