import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * All `*.parquet` files under a directory, recursively, sorted by path so shard order (and so
 * subject stream order) is the same on every machine.
 */
export function listParquetFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile() && entry.name.endsWith('.parquet')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}
