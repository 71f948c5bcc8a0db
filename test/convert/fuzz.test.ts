// Seeded fuzzing of real inputs (R4 bundles, OMOP rows, MEDS shards from data/), bounded in time.
// Properties: no internal error; every good record kept; every bad one counted with a reason that
// holds no record content. Set FUZZ_SEED to replay a failure, FUZZ_MS to fuzz longer.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { convertToMeds } from '../../src/convert/convertToMeds.ts';
import { isUsageError } from '../../src/errors.ts';
import { openDuck } from '../../src/meds/duckdb.ts';
import { openMedsDataset } from '../../src/meds/index.ts';
import { mulberry32 } from '../helpers/mulberry32.ts';
import { DATA, MIMIC_MEDS, tempDir } from '../helpers/paths.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 21);
const BUDGET_MS = Number(process.env.FUZZ_MS ?? 2500);
/** Planted in mutated records: must never appear in a reason, summary or rejects file. */
const SECRET = 'Zqxsecret';

type R = Record<string, unknown>;

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

/** Odd values a field may take: prototype names, bad dates and numbers, wrong types, planted content. */
function oddValue(rand: () => number): unknown {
  return pick(rand, [
    null,
    'constructor',
    '__proto__',
    'toString',
    'hasOwnProperty',
    '0019-05-01',
    '2019-05-01T00:99',
    '2019-05-01T00:00:00+99:99',
    'notalist',
    {},
    [],
    -1,
    0,
    `${SECRET} Janet`,
    { [SECRET]: 1 },
    [SECRET],
    '\u0000',
    'x'.repeat(5000),
  ]);
}

/** Set a random nested field of a parsed value. */
function mutateValue(v: unknown, rand: () => number, depth = 0): void {
  if (typeof v !== 'object' || v === null) return;
  const keys = Array.isArray(v) ? v.map((_, i) => String(i)) : Object.keys(v);
  if (keys.length === 0) return;
  const k = pick(rand, keys);
  const o = v as R;
  if (depth < 6 && rand() < 0.7 && typeof o[k] === 'object' && o[k] !== null) mutateValue(o[k], rand, depth + 1);
  else o[k] = oddValue(rand);
}

/** A mutated JSON line: structural (a field set to an odd value) or textual (cut, deleted or inserted characters). */
function mutateLine(line: string, rand: () => number): string {
  const op = Math.floor(rand() * 5);
  if (op <= 1) {
    const v = JSON.parse(line) as unknown;
    for (let i = 0; i < 1 + Math.floor(rand() * 4); i++) mutateValue(v, rand);
    return JSON.stringify(v);
  }
  const at = Math.floor(rand() * line.length);
  if (op === 2) return line.slice(0, at);
  if (op === 3) return line.slice(0, at) + line.slice(at + 1 + Math.floor(rand() * 20));
  return (
    line.slice(0, at) +
    pick(rand, ['"', '{', '}', '[', ']', ',', ':', '\\', SECRET, '"' + SECRET + '"', '\u0000', '1e-400']) +
    line.slice(at)
  );
}

/** Plant the secret in a bundle's patient name, so that a leak of record content is visible. */
function plant(line: string, i: number): string {
  return line.replace(/"family":"[^"]*"/, `"family":"${SECRET}${i}"`);
}

function checkRejects(text: string, what: string): { line: number; file: string }[] {
  assert.ok(!text.includes(SECRET), `${what} leaks record content`);
  const rows =
    text.trim() === ''
      ? []
      : text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { file: string; line: number | null; kind: string; reason: string });
  for (const r of rows) assert.ok(typeof r.file === 'string' && typeof r.kind === 'string' && r.reason.length > 0, JSON.stringify(r));
  return rows.map((r) => ({ line: r.line ?? -1, file: r.file }));
}

describe(`fuzz (seed ${SEED}, about ${BUDGET_MS} ms per source)`, () => {
  it('FHIR: mutated bundles never crash a run, good bundles convert unchanged, bad records are counted without content', async (t) => {
    const rand = mulberry32(SEED);
    const lines = gunzipSync(readFileSync(join(DATA, 'synthea-fhir/r4-synthea-sample.bundles.ndjson.gz')))
      .toString('utf8')
      .split('\n')
      .filter((l) => l.includes('"resourceType":"Patient"'));
    const good = lines.slice(0, 2);
    const donors = lines.slice(2, 8).map(plant);
    const dir = tempDir();
    const baseInput = join(dir, 'good.ndjson');
    writeFileSync(baseInput, good.join('\n') + '\n');
    const base = await convertToMeds({ from: 'fhir', input: baseInput, out: join(dir, 'base') });
    const baseDs = await openMedsDataset(join(dir, 'base'));
    const baseline = new Map<number, number>();
    for await (const s of baseDs.subjects()) baseline.set(s.subjectId, s.events.length);
    baseDs.close();
    assert.equal(baseline.size, 2);
    const deadline = Date.now() + BUDGET_MS;
    let rounds = 0;
    do {
      rounds++;
      const mutated = Array.from({ length: 4 }, () => mutateLine(pick(rand, donors), rand));
      const input = join(dir, `fuzz${rounds}.ndjson`);
      writeFileSync(input, [...good, ...mutated].join('\n') + '\n');
      const out = join(dir, `out${rounds}`);
      let r;
      try {
        r = await convertToMeds({ from: 'fhir', input, out });
      } catch (err) {
        assert.fail(
          `round ${rounds} (seed ${SEED}): ${isUsageError(err) ? 'UsageError' : 'internal error'}: ${String(err instanceof Error ? err.stack : err)}`,
        );
      }
      const rejects = checkRejects(readFileSync(join(out, 'rejects.ndjson'), 'utf8'), `round ${rounds} rejects`);
      assert.ok(!readFileSync(join(out, 'conversion.json'), 'utf8').includes(SECRET), 'conversion.json leaks record content');
      assert.equal(rejects.length, r.conversion.totals.skipped);
      // A mutated line that is not a JSON object with a resourceType is rejected on its own line.
      mutated.forEach((text, i) => {
        let ok = false;
        try {
          const v = JSON.parse(text) as unknown;
          ok = typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as R).resourceType === 'string';
        } catch {
          ok = false;
        }
        if (!ok && text.trim() !== '')
          assert.ok(
            rejects.some((x) => x.line === good.length + i + 1),
            `round ${rounds}: line ${good.length + i + 1} has no reject`,
          );
      });
      const ds = await openMedsDataset(out);
      try {
        for (const [sid, n] of baseline)
          assert.equal((await ds.getSubject(sid)).events.length, n, `round ${rounds}: subject ${sid} lost or gained events`);
      } finally {
        ds.close();
      }
    } while (Date.now() < deadline);
    assert.ok(rounds >= 1 && base.conversion.totals.skipped === 0);
    t.diagnostic(`${rounds} rounds of 4 mutated bundles`);
  });

  it('OMOP: mutated rows never crash a run, every untouched row is kept, bad rows are counted without content', async (t) => {
    const rand = mulberry32(SEED + 1);
    const omop = join(DATA, 'omop-synthea27nj');
    const original = readFileSync(join(omop, 'PROCEDURE_OCCURRENCE.csv'), 'utf8').split('\n');
    const rows = original.length - 2; // header, trailing newline
    const deadline = Date.now() + BUDGET_MS;
    let rounds = 0;
    do {
      rounds++;
      const dir = tempDir();
      for (const t of ['PERSON', 'CONCEPT']) copyFileSync(join(omop, `${t}.csv`), join(dir, `${t}.csv`));
      const lines = [...original];
      const touched = new Set<number>();
      for (let k = 0; k < 25; k++) {
        const i = 1 + Math.floor(rand() * rows);
        touched.add(i);
        const f = (lines[i] as string).split(',');
        const c = Math.floor(rand() * f.length);
        const op = Math.floor(rand() * 8);
        if (op === 0) f[c] = `"${f[c] as string}`;
        else if (op === 1) f[c] = `${f[c] as string}"`;
        else if (op === 2) f.splice(c, 1);
        else if (op === 3) f.splice(c, 0, SECRET);
        else if (op === 4)
          f[c] = pick(rand, [
            'constructor',
            '__proto__',
            'toString',
            '0019-05-01',
            '2019-05-01 00:99:00',
            '1e-400',
            '1e400',
            `${SECRET}`,
            '\u0000',
          ]);
        else if (op === 5) f[1] = pick(rand, ['constructor', '__proto__', '999999', '']);
        else if (op === 6) f[3] = `${SECRET}-date`;
        else f[c] = `"${SECRET}\n${SECRET}"`;
        lines[i] = f.join(',');
      }
      writeFileSync(join(dir, 'PROCEDURE_OCCURRENCE.csv'), lines.join(rand() < 0.3 ? '\r\n' : '\n'));
      const out = join(tempDir(), 'meds');
      let r;
      try {
        r = await convertToMeds({ from: 'omop', input: dir, out });
      } catch (err) {
        assert.fail(
          `round ${rounds} (seed ${SEED + 1}): ${isUsageError(err) ? 'UsageError' : 'internal error'}: ${String(err instanceof Error ? err.stack : err)}`,
        );
      }
      const rejects = checkRejects(readFileSync(join(out, 'rejects.ndjson'), 'utf8'), `round ${rounds} rejects`);
      assert.ok(!readFileSync(join(out, 'conversion.json'), 'utf8').includes(SECRET), 'conversion.json leaks record content');
      assert.equal(rejects.length, r.conversion.totals.skipped);
      // Each untouched row gives its event; a touched one gives one or is rejected.
      const written = r.conversion.written.procedure_occurrence ?? 0;
      const skipped = Object.values(r.conversion.skipped.procedure_occurrence ?? {}).reduce((a, b) => a + b, 0);
      assert.ok(written >= rows - touched.size, `round ${rounds}: ${written} events from ${rows} rows with ${touched.size} touched`);
      assert.ok(written + skipped <= rows + touched.size, `round ${rounds}: more records than rows`);
      // Rejects name the row as an editor counts it: a quoted newline shifts the rows below it.
      const physical = new Set<number>();
      let shift = 0;
      for (let i = 1; i < lines.length; i++) {
        if (touched.has(i)) physical.add(i + shift);
        shift += ((lines[i] as string).match(/\n/g) ?? []).length;
      }
      for (const x of rejects) assert.ok(physical.has(x.line), `round ${rounds}: untouched row ${x.line} rejected`);
    } while (Date.now() < deadline);
    t.diagnostic(`${rounds} rounds of 25 mutated rows`);
  });

  it('MEDS: odd shards open with every event or fail with a UsageError naming the shard', async () => {
    const rand = mulberry32(SEED + 2);
    const source = join(MIMIC_MEDS, 'data/held_out/0.parquet');
    const variants: [string, boolean][] = [
      ['subject_id, code, numeric_value', false],
      ['subject_id, time::VARCHAR AS time, code', false],
      ['subject_id::VARCHAR AS subject_id, time, code', false],
      ['subject_id, time, code, numeric_value, code AS "constructor", 1 AS "__proto__", 2.5 AS "toString"', true],
      ['subject_id, time, code, numeric_value::VARCHAR AS numeric_value, text_value', true],
      ['subject_id, time, CASE WHEN random() < 0.01 THEN NULL ELSE code END AS code', false],
      ['subject_id, time, code, numeric_value, text_value', true],
    ];
    const duck = await openDuck();
    const ref = await openMedsDataset(MIMIC_MEDS);
    const heldOut = Number((await ref.query(`SELECT count(*)::INTEGER AS n FROM read_parquet('${source}')`))[0]?.n);
    ref.close();
    const deadline = Date.now() + BUDGET_MS;
    try {
      const order = variants
        .map((v) => [rand(), v] as const)
        .sort((a, b) => a[0] - b[0])
        .map(([, v]) => v);
      for (const [select, opens] of order) {
        const dir = tempDir();
        mkdirSync(join(dir, 'data'));
        await duck.connection.run(`SELECT setseed(${(SEED % 100) / 100})`);
        await duck.connection.run(
          `COPY (SELECT ${select} FROM read_parquet('${source}')) TO '${join(dir, 'data/0.parquet')}' (FORMAT parquet)`,
        );
        try {
          const ds = await openMedsDataset(dir);
          let events = 0;
          for await (const s of ds.subjects()) events += s.events.length;
          ds.close();
          assert.ok(opens, `${select} opened`);
          assert.equal(events, heldOut, select);
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          assert.ok(isUsageError(err), `${select}: ${String(err instanceof Error ? err.stack : err)}`);
          assert.match(err.message, /0\.parquet/, select);
          assert.ok(!opens, `${select}: ${err.message}`);
        }
        if (Date.now() > deadline) break;
      }
    } finally {
      duck.close();
    }
  });
});
