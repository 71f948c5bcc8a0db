import { UsageError } from '../errors.ts';
import { gbmHead } from './gbmHead.ts';
import type { Head, HeadSpec } from './Head.ts';
import { logisticHead } from './lrHead.ts';

/**
 * Rebuild a head from its plain-data description ({@link Head.spec}): how a `FitPool` worker
 * thread gets the same head as the main thread.
 *
 * @throws UsageError for an unknown kind
 */
export function headFromSpec(spec: HeadSpec): Head {
  switch (spec.kind) {
    case 'lr':
      return logisticHead(spec.options);
    case 'gbm':
      return gbmHead;
    default:
      throw new UsageError(`unknown head kind "${(spec as { kind: string }).kind}"; expected lr or gbm`);
  }
}
