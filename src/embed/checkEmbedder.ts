/**
 * Conformance checks of an embedder before a long run. Served models are often misconfigured:
 * wrong pooling, a missing instruction, silent truncation. Each check embeds a few texts and
 * reports pass, warn or fail with the measured number.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import type { EmbedInput, Embedder } from './Embedder.ts';

/** One check's outcome. */
export interface CheckResult {
  readonly name: string;
  readonly status: 'pass' | 'warn' | 'fail';
  readonly detail: string;
}

/** Options of {@link checkEmbedder}. */
export interface CheckOptions {
  /** JSONL of `{ "text", "instruction"?, "embedding": number[] }` reference vectors (for example from the model's own Python code). */
  readonly referenceFile?: string;
  /** Cosine similarity a reference vector must reach (default 0.99). */
  readonly referenceMinCosine?: number;
  /** Characters of filler for the truncation probe (default 200,000, beyond any context). */
  readonly longChars?: number;
}

const SAMPLE =
  '# Electronic Healthcare Record\nCurrent time: 2024-01-01\n## Patient Demographics\n- Patient age: 67\n- Female\n## Recent Lab Results\n- Hemoglobin (g/dL): 10.2 (low)';
const INSTRUCTION =
  "Given a patient's electronic healthcare record (EHR) in Markdown format, retrieve relevant passages that answer the query: has the patient anemia";

const cos = (a: Float32Array, b: Float32Array): number => {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] as number) * (b[i] as number);
    na += (a[i] as number) ** 2;
    nb += (b[i] as number) ** 2;
  }
  return d / Math.sqrt(na * nb);
};

/** Run the checks; never throws for a failed check (only for unusable input files). */
export async function checkEmbedder(embedder: Embedder, options: CheckOptions = {}): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const one = async (input: EmbedInput): Promise<Float32Array> => (await embedder.embed([input]))[0] as Float32Array;
  const base = await one({ text: SAMPLE, instruction: INSTRUCTION });
  const expected = embedder.dims;
  out.push({
    name: 'dimension',
    status: expected === undefined || expected === base.length ? 'pass' : 'fail',
    detail: `${base.length}${expected !== undefined && expected !== base.length ? `, expected ${expected}` : ''}`,
  });
  const norm = Math.sqrt(base.reduce((s, x) => s + x * x, 0));
  out.push({ name: 'unit norm', status: Math.abs(norm - 1) < 1e-3 ? 'pass' : 'warn', detail: `norm ${norm.toFixed(6)}` });
  out.push({
    name: 'finite values',
    status: base.every(Number.isFinite) ? 'pass' : 'fail',
    detail: base.every(Number.isFinite) ? 'all finite' : 'NaN or infinity present',
  });
  const again = await one({ text: SAMPLE, instruction: INSTRUCTION });
  const det = cos(base, again);
  out.push({
    name: 'determinism',
    status: det > 0.99999 ? 'pass' : det > 0.999 ? 'warn' : 'fail',
    detail: `cosine of two calls ${det.toFixed(6)}`,
  });
  const batched = (
    await embedder.embed([
      { text: 'unrelated text', instruction: INSTRUCTION },
      { text: SAMPLE, instruction: INSTRUCTION },
    ])
  )[1] as Float32Array;
  const bc = cos(base, batched);
  out.push({
    name: 'batch independence',
    status: bc > 0.999 ? 'pass' : 'fail',
    detail: `cosine alone vs in a batch ${bc.toFixed(6)} (low: padding or pooling problem)`,
  });
  const noInstr = await one({ text: SAMPLE, instruction: null });
  const ic = cos(base, noInstr);
  if (embedder.family === 'plain') {
    out.push({ name: 'instruction', status: 'pass', detail: `plain family: instructions are not used (cosine ${ic.toFixed(4)})` });
  } else {
    out.push({
      name: 'instruction',
      status: ic < 0.9999 ? 'pass' : 'fail',
      detail: `cosine with vs without instruction ${ic.toFixed(4)} (1.0: the instruction is dropped)`,
    });
  }
  // Truncation probe: A and B share a long start and differ only at the very end; A and C
  // differ only at the very start. Equal A/B: the end was cut (start kept). Equal A/C: the start
  // was cut, which loses demographics and recent values.
  const long = options.longChars ?? 200_000;
  const common = Array.from({ length: Math.ceil(long / 40) }, (_, i) => `- observation ${i}: value ${(i * 7) % 97}`).join('\n');
  try {
    const [a, b, c] = await embedder.embed([
      { text: `${SAMPLE}\n${common}\n- Fracture of ankle`, instruction: INSTRUCTION },
      { text: `${SAMPLE}\n${common}\n- Myocardial infarction`, instruction: INSTRUCTION },
      { text: `# Unrelated heading about shipping logistics\n${common}\n- Fracture of ankle`, instruction: INSTRUCTION },
    ]);
    const ab = cos(a as Float32Array, b as Float32Array);
    const ac = cos(a as Float32Array, c as Float32Array);
    const endCut = ab > 0.99999;
    const startCut = ac > 0.99999;
    out.push(
      startCut
        ? {
            name: 'truncation',
            status: 'fail',
            detail: `long texts lose their START (cosine ${ac.toFixed(4)} for texts that differ only in the first line): the model reads the end; serializations put demographics and recent values first`,
          }
        : endCut
          ? {
              name: 'truncation',
              status: 'warn',
              detail: `texts of ${long} characters are cut silently at the end; the start is kept (cosine ${ab.toFixed(4)} for texts differing only in the last line). Keep --max-tokens within the model's context.`,
            }
          : {
              name: 'truncation',
              status: 'pass',
              detail: `a ${long}-character text is read at both ends (cosines ${ab.toFixed(4)}, ${ac.toFixed(4)})`,
            },
    );
  } catch (err) {
    out.push({
      name: 'truncation',
      status: 'warn',
      detail: `overlong input rejected: ${(err as Error).message.slice(0, 200)}. Keep --max-tokens within the model's context.`,
    });
  }
  if (options.referenceFile !== undefined)
    out.push(await checkReferences(embedder, options.referenceFile, options.referenceMinCosine ?? 0.99));
  if (isMultiServer(embedder) && embedder.serverUrls.length > 1) out.push(await checkServersAgree(embedder));
  if (embedder.warning) out.push({ name: 'model file', status: 'warn', detail: embedder.warning });
  return out;
}

async function checkReferences(embedder: Embedder, file: string, minCos: number): Promise<CheckResult> {
  let refs: { text: string; instruction: string | null; embedding: Float32Array }[];
  try {
    refs = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l, i) => {
        const r = JSON.parse(l) as { text?: unknown; instruction?: unknown; embedding?: unknown };
        if (typeof r.text !== 'string' || !Array.isArray(r.embedding))
          throw new UsageError('expected {"text": string, "instruction"?: string, "embedding": number[]}', { file, record: i + 1 });
        return {
          text: r.text,
          instruction: typeof r.instruction === 'string' ? r.instruction : null,
          embedding: Float32Array.from(r.embedding as number[]),
        };
      });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read reference vectors: ${(err as Error).message}`, { file });
  }
  const got = await embedder.embed(refs.map((r) => ({ text: r.text, instruction: r.instruction })));
  const sims = refs.map((r, i) => (r.embedding.length === got[i]?.length ? cos(r.embedding, got[i] as Float32Array) : -1));
  const worst = Math.min(...sims);
  return {
    name: 'reference vectors',
    status: worst >= minCos ? 'pass' : 'fail',
    detail: `${refs.length} references, lowest cosine ${worst.toFixed(4)} (need ${minCos})`,
  };
}

/** An embedder spread over several servers that can be asked one at a time (the `openai:` backend). */
export interface MultiServerEmbedder extends Embedder {
  readonly serverUrls: readonly string[];
  embedOn(server: number, inputs: readonly EmbedInput[]): Promise<Float32Array[]>;
}

function isMultiServer(e: Embedder): e is MultiServerEmbedder {
  return Array.isArray((e as Partial<MultiServerEmbedder>).serverUrls) && typeof (e as Partial<MultiServerEmbedder>).embedOn === 'function';
}

/**
 * Every server must return the same vector for the same input (same model, pooling,
 * instruction handling, truncation), or a sharded run mixes incomparable vectors. The probes: a
 * record with and without the instruction, and a long one. With three or more servers the odd
 * one out is the server that disagrees with most others; with two, the second is reported
 * against the first.
 */
async function checkServersAgree(e: MultiServerEmbedder): Promise<CheckResult> {
  const long = `${SAMPLE}\n${Array.from({ length: 200 }, (_, i) => `- observation ${i}: value ${(i * 13) % 89}`).join('\n')}`;
  const probes: { label: string; input: EmbedInput }[] = [
    { label: 'record with instruction', input: { text: SAMPLE, instruction: INSTRUCTION } },
    { label: 'record without instruction', input: { text: SAMPLE, instruction: null } },
    { label: `long record (${long.length} characters)`, input: { text: long, instruction: INSTRUCTION } },
  ];
  const urls = e.serverUrls;
  const vecs: Float32Array[][] = [];
  for (let i = 0; i < urls.length; i++) {
    try {
      vecs.push(
        await e.embedOn(
          i,
          probes.map((p) => p.input),
        ),
      );
    } catch (err) {
      return { name: 'servers agree', status: 'fail', detail: `server ${urls[i]} failed: ${(err as Error).message.slice(0, 200)}` };
    }
  }
  // Lowest cosine over the probes, per pair of servers.
  const worst = (a: number, b: number): { cos: number; probe: string } => {
    let w = { cos: 2, probe: '' };
    probes.forEach((p, k) => {
      const va = (vecs[a] as Float32Array[])[k] as Float32Array;
      const vb = (vecs[b] as Float32Array[])[k] as Float32Array;
      const c = va.length === vb.length ? cos(va, vb) : -1;
      if (c < w.cos) w = { cos: c, probe: p.label };
    });
    return w;
  };
  const PASS = 0.9999;
  const WARN = 0.999;
  let minAll = 2;
  const disagreements = urls.map(() => 0);
  for (let a = 0; a < urls.length; a++) {
    for (let b = a + 1; b < urls.length; b++) {
      const w = worst(a, b);
      minAll = Math.min(minAll, w.cos);
      if (w.cos < PASS) {
        (disagreements[a] as number)++;
        (disagreements[b] as number)++;
      }
    }
  }
  if (minAll >= PASS)
    return {
      name: 'servers agree',
      status: 'pass',
      detail: `${urls.length} servers return the same vectors (lowest cosine ${minAll.toFixed(6)})`,
    };
  let odd: number;
  if (urls.length === 2) odd = 1;
  else {
    const most = Math.max(...disagreements);
    odd = disagreements.indexOf(most);
  }
  const ref = odd === 0 ? 1 : 0;
  const w = worst(ref, odd);
  const dims = `${(vecs[odd] as Float32Array[])[0]?.length} vs ${(vecs[ref] as Float32Array[])[0]?.length} dimensions`;
  return {
    name: 'servers agree',
    status: minAll >= WARN ? 'warn' : 'fail',
    detail: `server ${urls[odd]} differs from ${urls[ref]}: cosine ${w.cos.toFixed(6)} on the ${w.probe}${w.cos === -1 ? ` (${dims})` : ''}; check that every server runs the same model, pooling, instruction handling and maximum length`,
  };
}
