import type { Label } from '../types.ts';

/**
 * Order one subject's labels by prediction time and merge labels that share a prediction time
 * (two stays discharged on the same day, two results in the same minute): one embedding per
 * (subject, time) can carry only one value. Booleans merge by OR, integers by max (the most
 * severe lab class), so a positive is never hidden by a simultaneous negative.
 */
export function finalizeLabels(labels: Label[]): Label[] {
  if (labels.length < 2) return labels;
  labels.sort((a, b) => a.predictionTime - b.predictionTime);
  const out: Label[] = [labels[0] as Label];
  for (let i = 1; i < labels.length; i++) {
    const l = labels[i] as Label;
    const prev = out[out.length - 1] as Label;
    if (l.predictionTime !== prev.predictionTime) {
      out.push(l);
      continue;
    }
    out[out.length - 1] = {
      ...prev,
      ...(prev.booleanValue != null || l.booleanValue != null
        ? { booleanValue: Boolean(prev.booleanValue) || Boolean(l.booleanValue) }
        : {}),
      ...(prev.integerValue != null || l.integerValue != null
        ? { integerValue: Math.max(prev.integerValue ?? -Infinity, l.integerValue ?? -Infinity) }
        : {}),
    };
  }
  return out;
}
