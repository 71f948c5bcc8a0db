import { UsageError } from '../errors.ts';

/** Parse an integer option value or throw a usage error naming the option. */
export function parseInteger(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${option} expects an integer, got "${value}"`);
  return n;
}

/** Parse a positive integer option value or throw a usage error naming the option. */
export function parsePositiveInt(value: string, option: string): number {
  const n = parseInteger(value, option);
  if (n <= 0) throw new UsageError(`${option} expects a positive integer, got "${value}"`);
  return n;
}
