/**
 * Worker thread of {@link FitPool}: holds the layout it was last sent, rebuilds each job's head
 * from its spec, runs the fit and posts back the head's result (its score arrays transferred).
 */
import { parentPort } from 'node:worker_threads';
import type { FitReply, FitRequest } from './FitPool.ts';
import type { HeadSpec, Head } from './Head.ts';
import { headFromSpec } from './headFromSpec.ts';
import type { RowLayout } from './runEvaluation.ts';
import { newScratch, rowsView } from './rowsView.ts';
import { adoptSolverMemory } from '../probe/solverMemory.ts';

const port = parentPort;
if (port === null) throw new Error('fitWorker runs as a worker thread');
let layout: RowLayout | undefined;
// One scratch per role, reused across jobs, as in the in-process evaluation.
const scratch = newScratch();
const heads = new Map<string, Head>();

function headOf(spec: HeadSpec): Head {
  const key = JSON.stringify(spec);
  let head = heads.get(key);
  if (!head) heads.set(key, (head = headFromSpec(spec)));
  return head;
}

port.on('message', (msg: FitRequest) => {
  if (msg.type === 'layout') {
    const h = msg.head;
    // A solver memory is registered here too, so this thread's fit finds and uses it in place.
    const head = h
      ? h.memory
        ? adoptSolverMemory(h.memory, h.length)
        : new Float32Array(h.buffer as SharedArrayBuffer, h.byteOffset, h.length)
      : undefined;
    layout = { X: new Float32Array(msg.buffer, msg.byteOffset, msg.length), rowOf: msg.rowOf, ...(head ? { head } : {}) };
    return;
  }
  const { seq, job } = msg;
  try {
    if (!layout) throw new Error('no layout before the first fit');
    const started = performance.now();
    const d = job.dims;
    const result = headOf(job.head).fitPredict(
      { X: rowsView(layout, d, job.train, scratch.train), y: job.yTrain },
      { X: rowsView(layout, d, job.val, scratch.val), y: job.yVal },
      rowsView(layout, d, job.test, scratch.test),
      d,
    );
    const seconds = (performance.now() - started) / 1000;
    const transfer = [
      result.proba.buffer,
      ...(result.scores && result.scores.buffer !== result.proba.buffer ? [result.scores.buffer] : []),
    ];
    port.postMessage({ seq, outcome: { result, seconds } } satisfies FitReply, transfer as ArrayBuffer[]);
  } catch (err) {
    const e = err as { message?: string; name?: string };
    port.postMessage({ seq, error: { message: e.message ?? String(err), usage: e.name === 'UsageError' } } satisfies FitReply);
  }
});
port.postMessage({ ready: true } satisfies FitReply);
