/**
 * `markdown` and `list` against texts written by the paper's own code (stefanhgm/ehrshot-benchmark,
 * test/fixtures/paper-serializer/*\/README.md): every pair must be identical byte for byte.
 * Synthea STU3 is converted here from the bundled FHIR file, as the goldens' harness did; the
 * MIMIC-IV demo is read as bundled, and once more as a copy with only the standard MEDS columns,
 * against the reference's texts of that copy (`mimic-iv-demo-standard/`: without `unit` no unit
 * is shown, and without `hadm_id` rows outside their admission's span, such as procedures dated
 * before it, join visits by time instead).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { convertToMeds } from '../../src/convert/convertToMeds.ts';
import { openMedsDataset } from '../../src/meds/MedsDataset.ts';
import type { MedsDataset } from '../../src/meds/MedsDataset.ts';
import { openDuck, sqlString } from '../../src/meds/duckdb.ts';
import { listParquetFiles } from '../../src/meds/listParquetFiles.ts';
import { serialize } from '../../src/serialize/serialize.ts';
import type { SerializeFormat } from '../../src/serialize/serialize.ts';
import { buildVocabulary } from '../../src/vocab/VocabularyChain.ts';
import { DATA, MIMIC_MEDS, tempDir } from '../helpers/paths.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/paper-serializer');

interface Pair {
  readonly n: number;
  readonly kind: string;
  readonly subject_id: number;
  readonly prediction_time: string;
  readonly file: string;
  readonly list_file: string;
}

/** Serialize every pair of a golden set from a dataset; returns the texts per pair and format. */
async function render(ds: MedsDataset, pairs: readonly Pair[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const p of pairs) {
    const subject = await ds.getSubject(p.subject_id);
    const vocabulary = await buildVocabulary({ codes: new Set(subject.events.map((e) => e.code)), datasetCodes: ds.codes });
    const predictionTime = Date.parse(p.prediction_time);
    for (const [format, file] of [
      ['markdown', p.file],
      ['list', p.list_file],
    ] as [SerializeFormat, string][]) {
      out.set(file, serialize(subject, { predictionTime, format, vocabulary, tokenizer: 'chars' }).text);
    }
  }
  return out;
}

/** Compare with the goldens; print the count of identical pairs per format and the first differing line. */
function compare(name: string, pairs: readonly Pair[], texts: ReadonlyMap<string, string>): void {
  const failures: string[] = [];
  for (const [format, key] of [
    ['markdown', 'file'],
    ['list', 'list_file'],
  ] as const) {
    let same = 0;
    for (const p of pairs) {
      const golden = readFileSync(join(FIXTURES, name, p[key]), 'utf8');
      const ours = texts.get(p[key]);
      if (ours === golden) {
        same++;
        continue;
      }
      const a = golden.split('\n');
      const b = (ours ?? '').split('\n');
      const k = a.findIndex((l, i) => l !== b[i]);
      failures.push(`${name}/${p[key]} (${p.kind}) line ${k + 1}: golden ${JSON.stringify(a[k])}, ours ${JSON.stringify(b[k])}`);
    }
    console.log(`${name} ${format}: ${same} of ${pairs.length} pairs identical`);
  }
  assert.deepEqual(failures, [], failures.slice(0, 5).join('\n'));
}

const readPairs = (name: string): Pair[] => JSON.parse(readFileSync(join(FIXTURES, name, 'pairs.json'), 'utf8')) as Pair[];

describe('paper serializer goldens: markdown and list are the reference byte for byte', () => {
  it('Synthea STU3 (converted from the bundled FHIR file): 25 pairs, both formats', async () => {
    const out = join(tempDir(), 'stu3');
    await convertToMeds({ from: 'fhir', input: join(DATA, 'synthea-fhir/stu3-synthea.bundles.ndjson.gz'), out });
    const ds = await openMedsDataset(out);
    try {
      const pairs = readPairs('synthea-stu3');
      compare('synthea-stu3', pairs, await render(ds, pairs));
    } finally {
      ds.close();
    }
  });

  it('MIMIC-IV demo MEDS: 25 pairs, both formats, with all columns and with the standard columns only', async () => {
    const pairs = readPairs('mimic-iv-demo');
    const ds = await openMedsDataset(MIMIC_MEDS);
    let full: Map<string, string>;
    try {
      full = await render(ds, pairs);
    } finally {
      ds.close();
    }
    compare('mimic-iv-demo', pairs, full);

    // A copy with only subject_id, time, code, numeric_value, text_value: same shards, same row
    // order, same metadata.
    const dir = join(tempDir(), 'mimic-standard');
    cpSync(join(MIMIC_MEDS, 'metadata'), join(dir, 'metadata'), { recursive: true });
    const duck = await openDuck('1GB');
    try {
      for (const file of listParquetFiles(join(MIMIC_MEDS, 'data'))) {
        const target = join(dir, 'data', relative(join(MIMIC_MEDS, 'data'), file));
        mkdirSync(dirname(target), { recursive: true });
        await duck.connection.run(
          `COPY (SELECT subject_id, time, code, numeric_value, text_value FROM read_parquet(${sqlString(file)})) TO ${sqlString(target)} (FORMAT parquet)`,
        );
      }
    } finally {
      duck.close();
    }
    const standard = await openMedsDataset(dir);
    try {
      assert.deepEqual(standard.extraColumns, [], 'only the standard columns');
      const texts = await render(standard, pairs);
      compare('mimic-iv-demo-standard', readPairs('mimic-iv-demo-standard'), texts);
      // Without hadm_id, admissions end at the next discharge: the same visits, starts and
      // durations as the hadm_id pairing of the full demo.
      const visitsOf = (md: string): string => md.slice(md.indexOf('## Past Medical Visits'), md.indexOf('## General Medical Events'));
      for (const p of pairs)
        assert.equal(visitsOf(texts.get(p.file) as string), visitsOf(full.get(p.file) as string), `visits of pair ${p.n}`);
      // The texts equal those of the full demo's events with the extra columns taken away (what
      // the reference reads from such a file: no unit, no hadm_id, so rows join visits by time).
      const bare = await openMedsDataset(MIMIC_MEDS);
      try {
        for (const p of pairs) {
          const s = await bare.getSubject(p.subject_id);
          const subject = {
            subjectId: s.subjectId,
            events: s.events.map(({ subjectId, time, code, numericValue, textValue }) => ({
              subjectId,
              time,
              code,
              numericValue,
              textValue,
            })),
          };
          const vocabulary = await buildVocabulary({ codes: new Set(subject.events.map((e) => e.code)), datasetCodes: bare.codes });
          const predictionTime = Date.parse(p.prediction_time);
          assert.equal(
            texts.get(p.file),
            serialize(subject, { predictionTime, format: 'markdown', vocabulary, tokenizer: 'chars' }).text,
            `markdown of pair ${p.n}`,
          );
          assert.equal(
            texts.get(p.list_file),
            serialize(subject, { predictionTime, format: 'list', vocabulary, tokenizer: 'chars' }).text,
            `list of pair ${p.n}`,
          );
        }
      } finally {
        bare.close();
      }
    } finally {
      standard.close();
    }
  });
});
