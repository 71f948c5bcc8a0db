/**
 * Recent CDS predictions kept in memory, so that a card's inspector link can show what the model
 * read: an unguessable token → the record (as a FHIR Bundle), the prediction time and the
 * response. Entries expire after a time-to-live and the oldest go first beyond a count; nothing
 * is written to disk. The page reads them through `GET /v1/cds-predictions/{token}`, which the
 * server's API key protects like the rest of `/v1`.
 */
import { randomBytes } from 'node:crypto';

/** One stored prediction. */
export interface StoredCdsPrediction {
  readonly serviceId: string;
  readonly hook: string;
  /** The record the service scored, as the Bundle it passed to the `/v1/predict` code. */
  readonly bundle: Record<string, unknown>;
  /** ISO 8601. */
  readonly predictionTime: string;
  /** The CDS Hooks response. */
  readonly response: unknown;
}

/** Options of {@link CdsPredictionStore}. */
export interface CdsPredictionStoreOptions {
  /** Time to live, ms (default 15 minutes). */
  readonly ttlMs?: number;
  /** Most entries kept (default 200). */
  readonly maxEntries?: number;
  /** Clock (default Date.now). */
  readonly now?: () => number;
}

/** In-memory store of recent predictions by token. */
export class CdsPredictionStore {
  private readonly entries = new Map<string, { at: number; value: StoredCdsPrediction }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(o: CdsPredictionStoreOptions = {}) {
    this.ttlMs = o.ttlMs ?? 15 * 60 * 1000;
    this.maxEntries = o.maxEntries ?? 200;
    this.now = o.now ?? Date.now;
  }

  /** Store a prediction; returns its token (128 random bits, base64url). */
  put(value: StoredCdsPrediction): string {
    this.prune();
    const token = randomBytes(16).toString('base64url');
    this.entries.set(token, { at: this.now(), value });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return token;
  }

  /** Replace the value of a live token (its expiry unchanged). */
  replace(token: string, value: StoredCdsPrediction): void {
    const e = this.entries.get(token);
    if (e) e.value = value;
  }

  /** The prediction of a token, or undefined when unknown or expired. */
  get(token: string): StoredCdsPrediction | undefined {
    this.prune();
    return this.entries.get(token)?.value;
  }

  private prune(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [k, e] of this.entries) {
      if (e.at >= cutoff) break;
      this.entries.delete(k);
    }
  }
}
