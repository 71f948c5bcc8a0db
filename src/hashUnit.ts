import { createHash } from 'node:crypto';

/**
 * Map a string to a uniform number in [0, 1) through SHA-256 (first 48 bits). The one hash behind
 * the seeded split (`hashSplit`), label caps and embed shards, so each is reproducible on every
 * machine whatever the order in which subjects are seen.
 */
export function hashUnit(key: string): number {
  const h = createHash('sha256').update(key).digest();
  return h.readUIntBE(0, 6) / 2 ** 48;
}
