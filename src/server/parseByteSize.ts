import { UsageError } from '../errors.ts';
import { lookupTable } from '../lookupTable.ts';

const UNITS: Readonly<Record<string, number>> = lookupTable({
  '': 1,
  b: 1,
  kb: 1024,
  k: 1024,
  mb: 1024 ** 2,
  m: 1024 ** 2,
  gb: 1024 ** 3,
  g: 1024 ** 3,
});

/**
 * Parse a size such as `5mb`, `512kb`, `1.5MB` or `1048576` to bytes (binary units: 1 kb = 1024
 * bytes).
 *
 * @throws UsageError naming `option` for anything else or a size below 1 byte.
 */
export function parseByteSize(value: string, option = '--max-body'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new UsageError(`${option} expects a size such as 5mb, 512kb or 1048576, got "${value}"`);
  const bytes = Math.floor(Number(m[1]) * unit);
  if (bytes < 1) throw new UsageError(`${option} must be at least 1 byte, got "${value}"`);
  return bytes;
}
