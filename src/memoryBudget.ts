/**
 * Memory guard: a step estimates what it will allocate (from label counts, feature dimensions and
 * text sizes) before allocating it, and stops with a UsageError that says what was estimated,
 * what is available and what to do, instead of running into V8's heap limit (a fatal crash with a
 * native stack trace) or the kernel's OOM killer hours later.
 */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { UsageError } from './errors.ts';

/** One item of an estimate. */
export interface MemoryNeed {
  /** What it is, for the message ("feature set emb: 120,700 rows × 4,096 float32"). */
  readonly what: string;
  readonly bytes: number;
  /**
   * True for JavaScript objects and strings (bounded by V8's heap limit); false (default) for
   * typed arrays and native memory, which live outside the heap and are bounded by RAM only.
   */
  readonly heap?: boolean;
}

/** The memory a process may use, and where that number came from. */
export interface MemoryAvailable {
  readonly bytes: number;
  readonly source: string;
  /** V8's heap limit (`--max-old-space-size`), which bounds {@link MemoryNeed.heap} items. */
  readonly heapBytes: number;
}

/** Bytes the runtime itself takes besides an estimate (Node, DuckDB, code, small buffers). */
export const RUNTIME_BYTES = 512 * 1024 ** 2;

/** Factor on the estimated items (allocator slack, short-lived copies the items do not name). */
export const MARGIN = 1.1;

/** The cgroup (container) memory limit, when one is set and readable. */
function cgroupLimit(): number | undefined {
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const v = readFileSync(file, 'utf8').trim();
      const n = Number(v);
      // cgroup v1 reports "no limit" as a huge number.
      if (v !== 'max' && Number.isFinite(n) && n > 0 && n < 2 ** 60) return n;
    } catch {
      // Not in a cgroup with a memory controller: physical memory is the bound.
    }
  }
  return undefined;
}

/**
 * What this process may use: `maxMemory` (a `--max-memory` option) when given, else the smaller
 * of physical memory (`os.totalmem()`) and the container's cgroup limit.
 */
export function availableMemory(maxMemory?: number): MemoryAvailable {
  const heapBytes = getHeapStatistics().heap_size_limit;
  if (maxMemory !== undefined) return { bytes: maxMemory, source: '--max-memory', heapBytes };
  const total = totalmem();
  const cg = cgroupLimit();
  if (cg !== undefined && cg < total) return { bytes: cg, source: 'the container (cgroup) memory limit', heapBytes };
  return { bytes: total, source: 'physical memory (os.totalmem)', heapBytes };
}

/** `1.9 GB` style, binary units. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 || u === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

/**
 * Stop before a step allocates more than the process may use.
 *
 * @param step what is about to run (`evaluate`, `embed`), for the message
 * @param needs the estimate, item by item; times {@link MARGIN}, plus {@link RUNTIME_BYTES}
 * @param o `maxMemory` (bytes, from `--max-memory`) and `advice`: what the user can do instead
 *   (fewer tasks, a shard, a larger machine), appended to the message
 * @throws UsageError when the estimate exceeds the available memory, or its heap items exceed
 *   V8's heap limit
 */
export function checkMemory(step: string, needs: readonly MemoryNeed[], o: { maxMemory?: number; advice: string }): void {
  const avail = availableMemory(o.maxMemory);
  // 10% over the items: the evaluate estimate came out 8% under the measured peak at 120,700 × 4,096 (bench/RESULTS.md).
  const total = needs.reduce((a, n) => a + n.bytes, 0) * MARGIN + RUNTIME_BYTES;
  const items = needs.map((n) => `${n.what}: ${formatBytes(n.bytes)}`).join('; ');
  if (total > avail.bytes) {
    throw new UsageError(
      `${step} would need about ${formatBytes(total)} of memory (${items}; +10% margin; runtime ${formatBytes(RUNTIME_BYTES)}), more than the ${formatBytes(avail.bytes)} available (${avail.source}); stopped before allocating it. ${o.advice}`,
    );
  }
  const heap = needs.filter((n) => n.heap).reduce((a, n) => a + n.bytes, 0);
  if (heap > avail.heapBytes * 0.9) {
    throw new UsageError(
      `${step} would hold about ${formatBytes(heap)} of JavaScript objects (${needs
        .filter((n) => n.heap)
        .map((n) => `${n.what}: ${formatBytes(n.bytes)}`)
        .join(
          '; ',
        )}), more than 90% of V8's heap limit of ${formatBytes(avail.heapBytes)}; stopped before allocating it. Raise the limit with NODE_OPTIONS=--max-old-space-size=<MB> (the machine has ${formatBytes(avail.bytes)}), or: ${o.advice}`,
    );
  }
}
