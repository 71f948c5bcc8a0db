/**
 * Serialization over worker threads: the main thread streams subjects from the MEDS shards (DuckDB)
 * and hands them out in batches; each worker serializes and counts tokens; results come back in
 * the order the subjects were read, with at most two batches per worker in flight, so memory stays
 * bounded by a few batches however large the run.
 */
import { Worker } from 'node:worker_threads';
import { UsageError } from '../errors.ts';
import type { PairRequest, PairText } from './serializePairs.ts';
import type { SerializeWorkerData } from './serializeWorker.ts';
import { packedTransfer, packRequests } from './packRequests.ts';

type Reply = { seq: number; pairs: PairText[] } | { seq: number; error: { message: string; usage: boolean } };

interface Slot {
  readonly worker: Worker;
  readonly waiting: Map<number, { ok: (p: PairText[]) => void; fail: (e: Error) => void }>;
}

/** Events per batch sent to a thread (large enough that message passing is a small share, small enough to keep every thread busy). */
export const SERIALIZE_BATCH_EVENTS = 50_000;

/** Worker threads that serialize subjects (see {@link SerializePool.run}). */
export class SerializePool {
  private readonly slots: Slot[];
  private seq = 0;

  /**
   * @param workers number of threads (at least 1)
   * @param data the run's settings and vocabulary inputs, sent to each thread once
   */
  constructor(workers: number, data: SerializeWorkerData) {
    this.slots = Array.from({ length: Math.max(1, workers) }, () => {
      const worker = new Worker(new URL('./serializeWorkerEntry.mjs', import.meta.url), { workerData: data });
      const slot: Slot = { worker, waiting: new Map() };
      worker.on('message', (m: Reply) => {
        const w = slot.waiting.get(m.seq);
        if (!w) return;
        slot.waiting.delete(m.seq);
        if ('error' in m) w.fail(m.error.usage ? new UsageError(m.error.message) : new Error(`serialization worker: ${m.error.message}`));
        else w.ok(m.pairs);
      });
      const failAll = (err: Error): void => {
        for (const w of slot.waiting.values()) w.fail(err);
        slot.waiting.clear();
      };
      worker.on('error', (err) => failAll(new Error(`serialization worker failed: ${err.message}`, { cause: err })));
      worker.on('exit', (code) => failAll(new Error(`serialization worker exited with code ${code}`)));
      return slot;
    });
  }

  private send(requests: PairRequest[]): Promise<PairText[]> {
    // The least busy thread (ties: the first).
    const slot = this.slots.reduce((a, b) => (b.waiting.size < a.waiting.size ? b : a));
    const seq = this.seq++;
    return new Promise((ok, fail) => {
      slot.waiting.set(seq, { ok, fail });
      // As columns, the event numbers transferred: cloning event objects cost as much as serializing.
      const packed = packRequests(requests);
      slot.worker.postMessage({ seq, packed }, packedTransfer(packed));
    });
  }

  /**
   * Serialize every request; yields each batch's pairs in request order.
   *
   * @param batchEvents events per batch sent to a thread (default {@link SERIALIZE_BATCH_EVENTS})
   */
  async *run(requests: AsyncIterable<PairRequest>, batchEvents = SERIALIZE_BATCH_EVENTS): AsyncGenerator<PairText[]> {
    const inFlight: Promise<PairText[]>[] = [];
    let batch: PairRequest[] = [];
    let events = 0;
    // A rejected batch is awaited in order below; until then, do not let Node report it as unhandled.
    const track = (p: Promise<PairText[]>): void => {
      p.catch(() => undefined);
      inFlight.push(p);
    };
    for await (const r of requests) {
      batch.push(r);
      events += r.subject.events.length;
      if (events < batchEvents) continue;
      track(this.send(batch));
      batch = [];
      events = 0;
      while (inFlight.length >= 2 * this.slots.length) yield await (inFlight.shift() as Promise<PairText[]>);
    }
    if (batch.length > 0) track(this.send(batch));
    while (inFlight.length > 0) yield await (inFlight.shift() as Promise<PairText[]>);
  }

  /** Stop the threads. */
  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
