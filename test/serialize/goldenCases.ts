/**
 * Real subjects from the bundled data/ serialized at fixed times: the golden cases. Each case
 * names its source, subject (row order after sorting ids) and time; `render` produces the texts.
 * `scripts/update-serialize-golden.ts` writes them to test/golden/serialize after a review.
 */
import { join } from 'node:path';
import { convertToMeds } from '../../src/convert/convertToMeds.ts';
import { openMedsDataset, type MedsDataset } from '../../src/meds/MedsDataset.ts';
import { serialize } from '../../src/serialize/serialize.ts';
import { buildVocabulary } from '../../src/vocab/VocabularyChain.ts';
import type { Subject } from '../../src/types.ts';

export const GOLDEN_DIR = join(import.meta.dirname, '../golden/serialize');

interface Source {
  readonly name: string;
  open(tmp: string, data: string): Promise<MedsDataset>;
  /** Pick subjects and times: deterministic rules on the data itself. */
  pick(ds: MedsDataset): Promise<{ subject: Subject; time: number; why: string }[]>;
}

const H = 3_600_000;

async function firstInpatient(ds: MedsDataset, visitCode: string, n: number): Promise<{ subject: Subject; time: number; why: string }[]> {
  const rows = await ds.query(
    `SELECT subject_id::DOUBLE AS s, min(epoch_ms(time))::DOUBLE AS t FROM ${ds.dataRelation} WHERE code LIKE '${visitCode}' GROUP BY 1 ORDER BY 1 LIMIT ${n}`,
  );
  const out = [];
  for (const r of rows) {
    const subject = await ds.getSubject(r.s as number);
    out.push({ subject, time: (r.t as number) + H / 2, why: '30 minutes into the first inpatient stay (current visit)' });
    out.push({ subject, time: (r.t as number) + 400 * 24 * H, why: 'about 400 days after the first inpatient stay' });
  }
  return out;
}

const SOURCES: Source[] = [
  {
    name: 'synthea-stu3',
    open: async (tmp, data) => {
      await convertToMeds({ from: 'fhir', input: join(data, 'synthea-fhir/stu3-synthea.bundles.ndjson.gz'), out: join(tmp, 'stu3') });
      return openMedsDataset(join(tmp, 'stu3'));
    },
    pick: (ds) => firstInpatient(ds, 'Visit/IP', 2),
  },
  {
    name: 'synthea-r4',
    open: async (tmp, data) => {
      await convertToMeds({ from: 'fhir', input: join(data, 'synthea-fhir/r4-synthea-sample.bundles.ndjson.gz'), out: join(tmp, 'r4') });
      return openMedsDataset(join(tmp, 'r4'));
    },
    pick: (ds) => firstInpatient(ds, 'Visit/IP', 1),
  },
  {
    name: 'omop-synthea27nj',
    open: async (tmp, data) => {
      await convertToMeds({ from: 'omop', input: join(data, 'omop-synthea27nj'), out: join(tmp, 'omop') });
      return openMedsDataset(join(tmp, 'omop'));
    },
    pick: (ds) => firstInpatient(ds, 'Visit/IP', 1),
  },
  {
    name: 'mimic-iv-demo',
    open: async (_tmp, data) => openMedsDataset(join(data, 'mimic-iv-demo-meds')),
    pick: async (ds) => {
      const rows = await ds.query(
        `SELECT subject_id::DOUBLE AS s, min(epoch_ms(time))::DOUBLE AS t FROM ${ds.dataRelation} WHERE code LIKE 'HOSPITAL_ADMISSION%' GROUP BY 1 ORDER BY 1 LIMIT 2`,
      );
      const out = [];
      for (const r of rows)
        out.push({
          subject: await ds.getSubject(r.s as number),
          time: (r.t as number) + 30 * H,
          why: '30 hours into the first hospital admission (current visit)',
        });
      return out;
    },
  },
];

/** One rendered golden case. */
export interface GoldenCase {
  readonly file: string;
  readonly text: string;
}

/** Render every case in both formats (Markdown without a budget, list with a 1024-token Qwen budget). */
export async function renderGoldenCases(tmp: string, data: string): Promise<GoldenCase[]> {
  const out: GoldenCase[] = [];
  for (const src of SOURCES) {
    const ds = await src.open(tmp, data);
    try {
      const cases = await src.pick(ds);
      for (const [i, c] of cases.entries()) {
        const vocabulary = await buildVocabulary({ codes: new Set(c.subject.events.map((e) => e.code)), datasetCodes: ds.codes });
        const md = serialize(c.subject, { predictionTime: c.time, format: 'markdown-plus', vocabulary, tokenizer: 'chars' });
        const list = serialize(c.subject, { predictionTime: c.time, format: 'list-plus', vocabulary, tokenizer: 'qwen2', maxTokens: 1024 });
        const head = `<!-- ${src.name} subject ${c.subject.subjectId} at ${new Date(c.time).toISOString()}: ${c.why} -->\n`;
        out.push({ file: `${src.name}-${i + 1}.md`, text: head + md.text + '\n' });
        out.push({ file: `${src.name}-${i + 1}.list.txt`, text: list.text + '\n' });
      }
    } finally {
      ds.close();
    }
  }
  return out;
}
