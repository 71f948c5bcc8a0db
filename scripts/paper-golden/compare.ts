/**
 * Compare ehr-embed's `markdown` and `list` with golden texts written by `paper_golden.py`:
 * prints the first differing line of every differing pair and the count of identical ones.
 * Exits 1 when any pair differs.
 *
 *   node --import tsx scripts/paper-golden/compare.ts <MEDS dir> <golden dir with pairs.json>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openMedsDataset } from '../../src/meds/MedsDataset.ts';
import { serialize } from '../../src/serialize/serialize.ts';
import { buildVocabulary } from '../../src/vocab/VocabularyChain.ts';

const [dir, goldDir] = process.argv.slice(2);
if (dir === undefined || goldDir === undefined) throw new Error('usage: compare.ts <MEDS dir> <golden dir>');
const pairs = JSON.parse(readFileSync(join(goldDir, 'pairs.json'), 'utf8')) as {
  subject_id: number;
  kind: string;
  prediction_time: string;
  file: string;
  list_file: string;
}[];
const ds = await openMedsDataset(dir);
let same = 0;
let total = 0;
try {
  for (const p of pairs) {
    const subject = await ds.getSubject(p.subject_id);
    const vocabulary = await buildVocabulary({ codes: new Set(subject.events.map((e) => e.code)), datasetCodes: ds.codes });
    for (const [format, file] of [
      ['markdown', p.file],
      ['list', p.list_file],
    ] as const) {
      total++;
      const ours = serialize(subject, { predictionTime: Date.parse(p.prediction_time), format, vocabulary, tokenizer: 'chars' }).text;
      const gold = readFileSync(join(goldDir, file), 'utf8');
      if (ours === gold) {
        same++;
        continue;
      }
      const a = gold.split('\n');
      const b = ours.split('\n');
      const k = a.findIndex((l, i) => l !== b[i]);
      console.log(`${file} (${p.kind}) line ${k + 1}: golden ${JSON.stringify(a[k])}, ours ${JSON.stringify(b[k])}`);
    }
  }
} finally {
  ds.close();
}
console.log(`${same} of ${total} texts identical`);
process.exitCode = same === total ? 0 : 1;
