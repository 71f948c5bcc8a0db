import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * All `*.parquet` files under a directory, recursively, sorted by path so shard order (and so
 * subject stream order) is the same on every machine.
 */
export function listParquetFiles(dir: string): string[] {
  const out: string[] = [];
  const visited = new Set<string>();
  const walk = (d: string): void => {
    // Symbolic links (to shards or shard directories) are followed: skipping them would drop
    // their events without a word. A link back to a parent directory is visited once.
    const real = realpathSync(d);
    if (visited.has(real)) return;
    visited.add(real);
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      const kind = entry.isSymbolicLink() ? linkKind(p) : entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : null;
      if (kind === 'dir') walk(p);
      else if (kind === 'file' && entry.name.endsWith('.parquet')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

function linkKind(p: string): 'dir' | 'file' | null {
  try {
    const st = statSync(p);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : null;
  } catch {
    return null; // a broken link
  }
}
