import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BUILTIN_TASKS_DIR, loadTaskSpecs } from '../../src/tasks/loadTaskSpecs.ts';
import { selectTasks } from '../../src/tasks/selectTasks.ts';
import { taskSpecJsonSchema, TaskSpecSchema } from '../../src/tasks/taskSpec.ts';
import { tempDir } from '../helpers/paths.ts';

const EHRSHOT_TASKS = [
  'long_los',
  'readmission_30d',
  'icu_transfer',
  'thrombocytopenia',
  'hyperkalemia',
  'hypoglycemia',
  'hyponatremia',
  'anemia',
  'new_hypertension',
  'new_hyperlipidemia',
  'new_pancan',
  'new_celiac',
  'new_lupus',
  'new_acutemi',
];

describe('task specs', () => {
  it('ships every EHRSHOT task of SPEC 4 plus mortality_1y and icu_mortality_24h, each with its SPEC 3 query', () => {
    const specs = loadTaskSpecs();
    for (const name of [...EHRSHOT_TASKS, 'mortality_1y', 'icu_mortality_24h']) assert.ok(specs.has(name), name);
    assert.equal(specs.size, 16);
    assert.equal(specs.get('long_los')?.query, 'will the patient stay in the hospital for more than 7 days');
    assert.equal(specs.get('readmission_30d')?.query, 'will the patient be readmitted to the hospital within 30 days');
    assert.equal(specs.get('icu_transfer')?.query, 'will the patient be transferred to the intensive care unit');
    assert.equal(specs.get('anemia')?.query, 'has the patient anemia');
    assert.equal(specs.get('new_acutemi')?.query, 'has the patient an acute myocardial infarction');
    const groups = Object.fromEntries([...specs.values()].map((s) => [s.name, s.group]));
    assert.equal(groups.hyponatremia, 'lab');
    assert.equal(groups.new_pancan, 'new_diagnosis');
    assert.equal(groups.icu_transfer, 'operational');
    assert.equal(groups.mortality_1y, 'other');
  });

  it('the committed JSON Schema (tasks/task-spec.schema.json) is the one zod generates', () => {
    const committed = JSON.parse(readFileSync(join(BUILTIN_TASKS_DIR, 'task-spec.schema.json'), 'utf8'));
    assert.deepEqual(committed, taskSpecJsonSchema(), 'regenerate tasks/task-spec.schema.json from taskSpecJsonSchema()');
    assert.ok(Array.isArray((committed as { oneOf?: unknown[] }).oneOf));
  });

  it('users add tasks as files; a user file replaces a built-in task of the same name', () => {
    const dir = tempDir();
    const mine = {
      ...JSON.parse(readFileSync(join(BUILTIN_TASKS_DIR, 'long_los.json'), 'utf8')),
      name: 'long_los_3d',
      minStay: { days: 3 },
      query: 'will the patient stay for more than 3 days',
    };
    writeFileSync(join(dir, 'long_los_3d.json'), JSON.stringify(mine));
    writeFileSync(
      join(dir, 'anemia.json'),
      JSON.stringify({ ...JSON.parse(readFileSync(join(BUILTIN_TASKS_DIR, 'anemia.json'), 'utf8')), notes: ['mine'] }),
    );
    const specs = loadTaskSpecs([dir]);
    assert.equal(specs.size, 17);
    const s = specs.get('long_los_3d');
    assert.ok(s?.kind === 'operational' && s.minStay?.days === 3);
    assert.deepEqual(specs.get('anemia')?.notes, ['mine']);
    assert.equal(loadTaskSpecs(dir, { builtin: false }).size, 2);
  });

  it('invalid task files fail with the file and the field', () => {
    const dir = tempDir();
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'bad',
        kind: 'lab',
        group: 'lab',
        query: 'q',
        lab: { codes: ['LOINC/1'] },
        predictionTime: { rule: 'before_result' },
        unit: 'x',
        units: { x: 1 },
        classes: { severe: { op: '<', value: 1 }, moderate: { op: '<', value: 2 } },
      }),
    );
    assert.throws(
      () => loadTaskSpecs(dir),
      (e: Error) => e.name === 'UsageError' && /bad\.json, field "classes\.mild"/.test(e.message),
    );
    writeFileSync(file, '{ nope');
    assert.throws(() => loadTaskSpecs(dir), /bad\.json: invalid JSON/);
    writeFileSync(
      file,
      JSON.stringify({
        name: 'bad',
        kind: 'operational',
        group: 'operational',
        query: 'q',
        outcome: 'readmission',
        predictionTime: { rule: 'discharge_day_end' },
      }),
    );
    assert.throws(() => loadTaskSpecs(dir), /field "horizon": invalid task spec: readmission needs a horizon/);
    writeFileSync(file, JSON.stringify({ name: 'bad', kind: 'magic', group: 'other', query: 'q' }));
    assert.throws(() => loadTaskSpecs(dir), /bad\.json, field "kind"/);
    assert.throws(() => loadTaskSpecs('/nonexistent/tasks'), /does not exist/);
    assert.equal(TaskSpecSchema.safeParse({ name: 'Bad Name' }).success, false);
  });

  it('selects tasks by name or "all"; an unknown name lists the known ones', () => {
    const specs = loadTaskSpecs();
    assert.equal(selectTasks(specs, 'all').length, 16);
    assert.deepEqual(
      selectTasks(specs, 'anemia, long_los,anemia').map((s) => s.name),
      ['anemia', 'long_los'],
    );
    assert.throws(
      () => selectTasks(specs, ['long_los', 'longlos']),
      (e: Error) => e.name === 'UsageError' && /unknown task "longlos"; known tasks: .*long_los.*new_acutemi/.test(e.message),
    );
    assert.throws(() => selectTasks(specs, ' '), /no task names given/);
  });
});
