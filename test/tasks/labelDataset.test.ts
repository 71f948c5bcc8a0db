/**
 * Real data: label Synthea STU3 (converted here from the bundled FHIR bundles) and the MIMIC-IV
 * demo for every task, check counts per split and spot-check labels against the raw events.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openMedsDataset, type MedsDataset } from '../../src/meds/MedsDataset.ts';
import { readLabels } from '../../src/meds/labels.ts';
import { importLabels } from '../../src/tasks/importLabels.ts';
import { labelDataset, type LabeledDataset, type TaskLabels } from '../../src/tasks/labelDataset.ts';
import { BUILTIN_TASKS_DIR, loadTaskSpecs } from '../../src/tasks/loadTaskSpecs.ts';
import { truncateToMinute } from '../../src/tasks/predictionTime.ts';
import { taskLabelsFromImport } from '../../src/tasks/taskLabelsFromImport.ts';
import type { Event, Label } from '../../src/types.ts';
import { MIMIC_MEDS, DATA, tempDir } from '../helpers/paths.ts';
import { runCli } from '../helpers/runCli.ts';

const STU3 = join(DATA, 'synthea-fhir/stu3-synthea.bundles.ndjson.gz');
const DAY = 86_400_000;
const MINUTE = 60_000;
const specs = [...loadTaskSpecs().values()];

/** Every event of the subjects that have labels in any task, by subject. */
async function eventsOf(ds: MedsDataset, result: LabeledDataset): Promise<Map<number, readonly Event[]>> {
  const wanted = new Set(result.tasks.flatMap((t) => t.labels.map((l) => l.subjectId)));
  const out = new Map<number, readonly Event[]>();
  for await (const s of ds.subjects()) if (wanted.has(s.subjectId)) out.set(s.subjectId, s.events);
  return out;
}

function task(result: LabeledDataset, name: string): TaskLabels {
  const t = result.tasks.find((x) => x.name === name);
  assert.ok(t, name);
  return t;
}

function printCounts(title: string, result: LabeledDataset): void {
  const rows = result.tasks.map((t) => {
    const s = t.summary.splits;
    const cell = (x: string): string => `${s[x]?.labels ?? 0}/${s[x]?.positives ?? 0}`;
    return `  ${t.name.padEnd(20)} ${cell('train').padStart(10)} ${cell('tuning').padStart(10)} ${cell('held_out').padStart(10)}  ${t.summary.status}`;
  });
  console.log(`${title}: labels/positives per split (train, tuning, held_out)\n${rows.join('\n')}`);
}

/** Class of a result by SPEC 4 thresholds, written out independently of the spec files. */
function glucoseClass(mgdl: number): number {
  const v = Number(mgdl.toPrecision(7)) / 18.016;
  return v < 3 ? 3 : v < 3.5 ? 2 : v <= 3.9 ? 1 : 0;
}
function plateletClass(v: number): number {
  return v < 50 ? 3 : v < 100 ? 2 : v < 150 ? 1 : 0;
}

/** The result(s) a lab label predicts: those in [prediction time + 1 minute, + 2 minutes). */
function nextResults(events: readonly Event[], l: Label, codes: readonly string[]): Event[] {
  return events.filter(
    (e) => codes.includes(e.code) && e.time !== null && e.time >= l.predictionTime + MINUTE && e.time < l.predictionTime + 2 * MINUTE,
  );
}

describe('labeling Synthea STU3 (converted from FHIR)', { timeout: 180_000 }, () => {
  let ds: MedsDataset;
  let result: LabeledDataset;
  let events: Map<number, readonly Event[]>;

  before(async () => {
    const dir = join(tempDir('ehr-embed-stu3-'), 'meds');
    const conv = runCli(['convert', '--from', 'fhir', '--input', STU3, '--out', dir], { timeoutMs: 170_000 });
    assert.equal(conv.code, 0, conv.stderr);
    ds = await openMedsDataset(dir);
    result = await labelDataset(ds, specs);
    events = await eventsOf(ds, result);
    printCounts('Synthea STU3', result);
  });
  after(() => ds?.close());

  it('labels all 1,461 subjects in their dataset splits, every task reported', () => {
    assert.equal(result.subjects, 1461);
    assert.equal(result.hashSplitSubjects, 0);
    assert.equal(result.tasks.length, 16);
    for (const t of result.tasks) {
      if (t.summary.status !== 'ok') assert.ok(t.summary.notes.length > 0, `${t.name} is ${t.summary.status} and says why`);
    }
    // Synthea STU3 has no CBC: no platelet or hemoglobin results, so no labels, with a note.
    for (const name of ['thrombocytopenia', 'anemia']) {
      assert.equal(task(result, name).labels.length, 0);
      assert.match(task(result, name).summary.notes.join(' '), /no usable result of the lab test/);
    }
    // No ICU stays in Synthea: ICU tasks are not applicable rather than all negative.
    for (const name of ['icu_transfer', 'icu_mortality_24h'])
      assert.match(task(result, name).summary.notes.join(' '), /not applicable: no subject has an ICU stay/);
    const hypo = task(result, 'hypoglycemia').summary;
    assert.equal(hypo.status, 'ok');
    for (const split of ['train', 'tuning', 'held_out']) assert.ok((hypo.splits[split]?.positives ?? 0) > 10, split);
    assert.ok((task(result, 'readmission_30d').summary.splits.train?.positives ?? 0) > 10);
    assert.ok((task(result, 'new_acutemi').summary.total.positives ?? 0) > 0, 'Synthea MI (SNOMED/22298006) after an inpatient stay');
  });

  it('long_los: every positive stayed >= 7 days and every negative less (and no same-day discharge)', () => {
    const t = task(result, 'long_los');
    assert.ok(t.labels.length > 0);
    for (const l of t.labels) {
      const stays = (events.get(l.subjectId) ?? []).filter(
        (e) =>
          e.code === 'Visit/IP' &&
          e.time !== null &&
          e.time <= l.predictionTime &&
          e.time > l.predictionTime - DAY &&
          (e.extra?.end as number) > l.predictionTime,
      );
      assert.ok(stays.length > 0, 'admitted on the prediction day and still in hospital at 23:59');
      const long = stays.some((e) => (e.extra?.end as number) - (e.time as number) >= 7 * DAY);
      assert.equal(l.booleanValue, long);
    }
  });

  it('readmission_30d: every positive has a new admission within (1 minute, 30 days], every negative none', () => {
    const t = task(result, 'readmission_30d');
    let positives = 0;
    for (const l of t.labels) {
      const starts = (events.get(l.subjectId) ?? [])
        .filter((e) => (e.code === 'Visit/IP' || e.code === 'Visit/ERIP') && e.time !== null)
        .map((e) => e.time as number);
      const readmitted = starts.some((s) => s > l.predictionTime + MINUTE && s <= l.predictionTime + 30 * DAY);
      assert.equal(l.booleanValue, readmitted, `subject ${l.subjectId} at ${new Date(l.predictionTime).toISOString()}`);
      if (l.booleanValue) positives++;
    }
    assert.ok(positives > 0);
  });

  it('hypoglycemia: each label is the class of the next glucose result, one minute later', () => {
    const t = task(result, 'hypoglycemia');
    const codes = ['LOINC/2339-0', 'LOINC/2345-7'];
    for (const l of t.labels) {
      const next = nextResults(events.get(l.subjectId) ?? [], l, codes);
      assert.ok(next.length > 0, 'a glucose result follows the prediction time');
      assert.equal(l.integerValue, Math.max(...next.map((e) => glucoseClass(e.numericValue as number))));
      assert.equal(l.booleanValue, (l.integerValue ?? 0) > 0);
    }
  });

  it('new diagnoses: no label at or after the first diagnosis; positives have it within (1 day, 365 days]', () => {
    const t = task(result, 'new_acutemi');
    for (const l of t.labels) {
      const dx = (events.get(l.subjectId) ?? []).filter((e) => e.code === 'SNOMED/22298006').map((e) => e.time as number);
      const first = Math.min(...dx);
      assert.ok(first > l.predictionTime, 'diagnosis not yet known');
      assert.equal(l.booleanValue, first > l.predictionTime + DAY && first <= l.predictionTime + 365 * DAY);
    }
  });
});

describe('labeling the MIMIC-IV demo', { timeout: 120_000 }, () => {
  let ds: MedsDataset;
  let result: LabeledDataset;
  let events: Map<number, readonly Event[]>;

  before(async () => {
    ds = await openMedsDataset(MIMIC_MEDS);
    result = await labelDataset(ds, specs);
    events = await eventsOf(ds, result);
    printCounts('MIMIC-IV demo', result);
  });
  after(() => ds?.close());

  it('labels the 20 demo subjects (tuning and held_out only; the demo ships no train shard)', () => {
    assert.equal(result.subjects, 20);
    assert.deepEqual(result.subjectsPerSplit, { tuning: 10, held_out: 10 });
    for (const name of ['long_los', 'icu_transfer', 'thrombocytopenia', 'anemia', 'hyponatremia', 'icu_mortality_24h']) {
      const s = task(result, name).summary;
      assert.ok(s.total.labels > 0 && s.total.positives > 0, name);
      assert.ok(!s.notes.some((n) => n.includes('no labels in train')), 'an empty dataset split gets no per-task note');
    }
  });

  it('icu_mortality_24h reproduces the shipped icu_mortality_first_24h labels (to the minute)', async () => {
    const shipped = (await readLabels(join(MIMIC_MEDS, 'tasks/icu_mortality_first_24h.parquet'))).filter((l) =>
      result.subjectIds.has(l.subjectId),
    );
    const ours = task(result, 'icu_mortality_24h').labels;
    const key = (l: Label): string => `${l.subjectId}@${truncateToMinute(l.predictionTime)}=${l.booleanValue}`;
    assert.equal(shipped.length, 14);
    assert.deepEqual(ours.map(key).sort(), shipped.map(key).sort());
  });

  it('thrombocytopenia: each label is the class of the next platelet count (LAB//51265//K/uL via LOINC/777-3)', () => {
    const t = task(result, 'thrombocytopenia');
    for (const l of t.labels) {
      const next = nextResults(events.get(l.subjectId) ?? [], l, ['LAB//51265//K/uL']);
      assert.ok(next.length > 0);
      assert.equal(l.integerValue, Math.max(...next.map((e) => plateletClass(e.numericValue as number))));
    }
  });

  it('long_los and readmission: outcomes are after the prediction time and agree with the hospital admissions', () => {
    for (const l of task(result, 'readmission_30d').labels) {
      const adm = (events.get(l.subjectId) ?? []).filter((e) => e.code.startsWith('HOSPITAL_ADMISSION')).map((e) => e.time as number);
      assert.equal(
        l.booleanValue,
        adm.some((s) => s > l.predictionTime + MINUTE && s <= l.predictionTime + 30 * DAY),
      );
    }
    for (const l of task(result, 'long_los').labels) {
      const ev = events.get(l.subjectId) ?? [];
      const adm = ev.filter(
        (e) =>
          e.code.startsWith('HOSPITAL_ADMISSION') && (e.time as number) <= l.predictionTime && (e.time as number) > l.predictionTime - DAY,
      );
      assert.equal(adm.length, 1);
      const hadm = adm[0]?.extra?.hadm_id;
      const dis = ev.find((e) => e.code.startsWith('HOSPITAL_DISCHARGE') && e.extra?.hadm_id === hadm);
      assert.ok(dis && (dis.time as number) > l.predictionTime);
      assert.equal(l.booleanValue, (dis.time as number) - (adm[0]?.time as number) >= 7 * DAY);
    }
  });

  it('imports the shipped label file as a task with split counts', async () => {
    const { labels } = await importLabels(join(MIMIC_MEDS, 'tasks/icu_mortality_first_24h.parquet'));
    const t = taskLabelsFromImport('icu_mortality_first_24h', labels, result.splits, { subjectIds: result.subjectIds });
    assert.equal(t.summary.total.labels, 74);
    assert.equal(t.summary.splits.train?.labels, 60, 'train subjects are listed in subject_splits.parquet even without their events');
    assert.match(t.summary.notes.join(' '), /60 of 74 labels \(\d+ subjects\) are for subjects not in this dataset/);
  });
});

describe('ehr-embed label', { timeout: 120_000 }, () => {
  it('writes label files, summary.json and shots.json reproducibly, and prints counts with notes', () => {
    const dir = tempDir();
    const args = (out: string): string[] => [
      'label',
      MIMIC_MEDS,
      '--tasks',
      'all',
      '--out',
      out,
      '--seed',
      '7',
      '--import',
      join(MIMIC_MEDS, 'tasks/icu_mortality_first_24h.parquet'),
    ];
    const a = runCli(args(join(dir, 'a')));
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /thrombocytopenia\s+│\s+lab/);
    assert.match(a.stdout, /no subjects in train/);
    assert.match(a.stdout, /icu_mortality_first_24h: imported from/);
    const b = runCli(args(join(dir, 'b')));
    assert.equal(b.code, 0, b.stderr);
    const shotsA = readFileSync(join(dir, 'a', 'shots.json'));
    assert.ok(shotsA.equals(readFileSync(join(dir, 'b', 'shots.json'))), 'shots.json is identical across runs');
    const shots = JSON.parse(shotsA.toString());
    assert.equal(shots.seed, 7);
    assert.deepEqual(shots.ks, [1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 128]);
    assert.equal(shots.tasks.anemia.replicates.length, 5);
    assert.ok(shots.tasks.anemia.replicates[0]['4'].tuning.length === 8);
    assert.deepEqual(shots.tasks.anemia.replicates[0]['4'].train, [], 'no train subjects in the demo');
    const summary = JSON.parse(readFileSync(join(dir, 'a', 'summary.json'), 'utf8'));
    assert.equal(summary.splitSource, 'subject_splits');
    assert.equal(Object.keys(summary.tasks).length, 17);
    assert.equal(summary.tasks.hyponatremia.file, 'hyponatremia.parquet');
    assert.equal(summary.tasks.long_los.query, 'will the patient stay in the hospital for more than 7 days');
  });

  it('label files round-trip and shot indices point at rows of the right split and class', async () => {
    const out = join(tempDir(), 'labels');
    const r = runCli(['label', MIMIC_MEDS, '--tasks', 'anemia,long_los', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(summary.tasks), ['anemia', 'long_los']);
    const labels = await readLabels(join(out, 'anemia.parquet'));
    assert.equal(labels.length, summary.tasks.anemia.total.labels);
    assert.ok(labels.every((l) => typeof l.integerValue === 'number' && l.booleanValue === l.integerValue > 0));
    const shots = JSON.parse(readFileSync(join(out, 'shots.json'), 'utf8'));
    const set: number[] = shots.tasks.anemia.replicates[2]['8'].tuning;
    assert.equal(set.length, 16);
    assert.equal(set.filter((i) => labels[i]?.booleanValue).length, 8);
  });

  it('reads user task files (--task-dir) and named imports (--import name=path)', () => {
    const dir = tempDir();
    const spec = JSON.parse(readFileSync(join(BUILTIN_TASKS_DIR, 'long_los.json'), 'utf8'));
    writeFileSync(join(dir, 'los3.json'), JSON.stringify({ ...spec, name: 'long_los_3d', minStay: { days: 3 } }));
    const fixture = join(import.meta.dirname, '../fixtures/ehrshot/labeled_patients.csv');
    const r = runCli([
      'label',
      MIMIC_MEDS,
      '--tasks',
      'long_los,long_los_3d',
      '--task-dir',
      dir,
      '--import',
      `ehrshot_los=${fixture}`,
      '--out',
      join(dir, 'out'),
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(s.tasks), ['long_los', 'long_los_3d', 'ehrshot_los']);
    assert.ok(s.tasks.long_los_3d.total.positives > s.tasks.long_los.total.positives);
    assert.equal(s.tasks.long_los_3d.total.labels, s.tasks.long_los.total.labels);
    assert.equal(s.tasks.ehrshot_los.kind, 'imported');
    assert.equal(s.tasks.ehrshot_los.total.labels, 10);
    assert.match(s.tasks.ehrshot_los.notes.join(' '), /10 of 10 labels \(7 subjects\) are for subjects not in this dataset/);
  });

  it('an unknown task name is a usage error listing the known tasks', () => {
    const r = runCli(['label', MIMIC_MEDS, '--tasks', 'long_loss', '--out', tempDir()]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown task "long_loss"; known tasks: anemia, .*long_los/);
    assert.ok(!/\n\s+at /.test(r.stderr));
  });
});
