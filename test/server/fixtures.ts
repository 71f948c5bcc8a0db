// Shared by the server tests: the Synthea R4 sample's patient bundles and a JSON request helper.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PROBE_BUNDLE_KIND, ProbeBundle } from '../../src/artifacts/ProbeBundle.ts';
import { SubjectIdMap } from '../../src/convert/SubjectIdMap.ts';
import { hashSplit } from '../../src/meds/hashSplit.ts';
import { fitLogistic } from '../../src/probe/logistic.ts';
import { fitMaxAbsScaler } from '../../src/probe/maxAbsScaler.ts';
import type { Split } from '../../src/types.ts';
import { DATA } from '../helpers/paths.ts';

/** The R4 sample: 40 patient bundles plus 2 organization/practitioner bundles, one per line. */
export const R4_SAMPLE = join(DATA, 'synthea-fhir/r4-synthea-sample.bundles.ndjson.gz');

/** A patient bundle of the sample with the ids the batch converter gives it. */
export interface SampleBundle {
  /** The minified bundle line. */
  readonly line: string;
  readonly bundle: Record<string, unknown>;
  readonly patientId: string;
  readonly subjectId: number;
  /** The converter's default hash split (seed 0). */
  readonly split: Split;
}

let cached: SampleBundle[] | undefined;

/** Patient bundles of the R4 sample, in file order. */
export function r4PatientBundles(): SampleBundle[] {
  if (cached) return cached;
  const ids = new SubjectIdMap();
  cached = [];
  for (const line of gunzipSync(readFileSync(R4_SAMPLE)).toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    const bundle = JSON.parse(line) as { entry?: { resource?: { resourceType?: string; id?: string } }[] };
    const patient = bundle.entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource;
    if (!patient?.id) continue;
    const subjectId = ids.idFor(patient.id);
    cached.push({ line, bundle: bundle as Record<string, unknown>, patientId: patient.id, subjectId, split: hashSplit(subjectId, 0) });
  }
  return cached;
}

/** POST (or GET without a body) JSON; returns status, parsed body and headers. */
// Tests read response fields directly and their assertions check them: the body is `any` here.
export async function requestJson(
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (the inspector page): keep the text.
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** A probe for `task` on `model`, fitted on seeded random vectors (its values do not matter, only that the service applies it); `maxTokens` is the serializer budget it records (null: none). */
export function writeTestProbe(
  dir: string,
  task: string,
  model: string,
  dims: number,
  seed: number,
  maxTokens: number | null = 1024,
): string {
  let s = seed;
  const rand = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const n = 40;
  const X = Float64Array.from({ length: n * dims }, rand);
  const y = Array.from({ length: n }, (_, i) => i % 2);
  const scaler = fitMaxAbsScaler(X, dims);
  const logistic = fitLogistic(scaler.transform(X), y, dims, { C: 1 });
  const out = join(dir, task);
  ProbeBundle.create({
    kind: PROBE_BUNDLE_KIND,
    version: 1,
    task,
    createdAt: '2026-01-01T00:00:00.000Z',
    ehrEmbedVersion: 'test',
    model: { spec: model, family: 'plain', dims },
    serializer: { format: 'markdown', maxTokens, tokenizer: 'qwen2', vocabulary: [] },
    instruction: { mode: 'generic', text: null },
    head: { scaler: scaler.toJSON(), logistic: logistic.toJSON() },
    training: {
      labels: 'l',
      features: 'f',
      n,
      positives: n / 2,
      tuningN: 0,
      tuningPositives: 0,
      C: 1,
      cSelected: false,
      validationAuroc: null,
      cScores: [],
    },
  }).save(out);
  return out;
}
