/**
 * A wider pair set for `paper_golden.py` than the shipped goldens: per subject of a MIMIC-style
 * MEDS dataset, every inpatient admission at 23:59 of its admission day, a time inside every ED
 * visit longer than two minutes, 4 random times between its first and last event and 2 event
 * times (ties at the prediction instant); seeded, whole minutes.
 *
 *   node --import tsx scripts/paper-golden/more-pairs.ts <MEDS dir> <pairs.json out>
 */
import { writeFileSync } from 'node:fs';
import { openMedsDataset } from '../../src/meds/MedsDataset.ts';
import { extractVisits } from '../../src/meds/visits.ts';
import { mulberry32 } from '../../test/helpers/mulberry32.ts';

const [dir, outFile] = process.argv.slice(2);
if (dir === undefined || outFile === undefined) throw new Error('usage: more-pairs.ts <MEDS dir> <pairs.json out>');
const ds = await openMedsDataset(dir);
const rand = mulberry32(11);
const pairs: object[] = [];
const add = (subjectId: number, t: number, kind: string): void => {
  const n = pairs.length + 1;
  const id = String(n).padStart(3, '0');
  const time = new Date(Math.floor(t / 60_000) * 60_000).toISOString().replace('.000Z', 'Z');
  pairs.push({ n, kind, subject_id: subjectId, source_id: null, prediction_time: time, file: `${id}.md`, list_file: `${id}.list.txt` });
};
try {
  for await (const s of ds.subjects()) {
    const times = s.events.filter((e) => e.time !== null).map((e) => e.time as number);
    if (times.length === 0) continue;
    const first = Math.min(...times);
    const last = Math.max(...times);
    for (const v of extractVisits(s.events)) {
      if (v.kind === 'inpatient' && v.partOf === null) {
        const d = new Date(v.start);
        add(s.subjectId, Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 23, 59), 'inpatient-midstay');
      } else if (v.kind === 'emergency' && v.end !== null && v.end - v.start > 120_000)
        add(s.subjectId, v.start + 60_000 + rand() * (v.end - v.start - 120_000), 'emergency-visit');
    }
    for (let k = 0; k < 4; k++) add(s.subjectId, first + rand() * (last - first), 'random');
    for (let k = 0; k < 2; k++) add(s.subjectId, times[Math.floor(rand() * times.length)] as number, 'event-time');
  }
} finally {
  ds.close();
}
writeFileSync(outFile, JSON.stringify(pairs, null, 1));
console.log(`${pairs.length} pairs -> ${outFile}`);
