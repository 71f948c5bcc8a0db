// The artifacts' writers and checked readers: what one step writes, the next reads back, and a
// damaged file is a UsageError naming the file and the field.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  checkFeaturesManifest,
  FEATURES_MANIFEST_FILE,
  readFeaturesManifest,
  writeFeaturesManifest,
  type FeaturesManifest,
} from '../../src/artifacts/featuresManifest.ts';
import { loadTasks, readLabelsDir, tasksWithLabels, writeLabelOutputs } from '../../src/artifacts/labelsDir.ts';
import { buildResultsFile, readResultsFile, writeResultsFile } from '../../src/artifacts/resultsFile.ts';
import { isUsageError } from '../../src/errors.ts';
import { runEvaluation, type FeatureSet } from '../../src/eval/runEvaluation.ts';
import { lrHead } from '../../src/eval/lrHead.ts';
import { matrixFeatureSet } from '../../src/eval/featureSets.ts';
import type { TaskLabels } from '../../src/tasks/labelDataset.ts';
import { subjectSplitResolver } from '../../src/tasks/subjectSplitResolver.ts';
import { summarizeLabels } from '../../src/tasks/summarizeLabels.ts';
import type { Label } from '../../src/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'artifacts-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Throws a UsageError whose message and location match. */
function rejects(f: () => unknown, message: RegExp, where: { file?: string; field?: string }): void {
  assert.throws(f, (err: unknown) => {
    assert.ok(isUsageError(err), String(err));
    assert.match(err.message, message);
    if (where.file !== undefined) assert.equal(err.location?.file, where.file);
    if (where.field !== undefined) assert.equal(err.location?.field, where.field);
    return true;
  });
}

// 60 subjects, one label each, outcome = subject id parity; splits by the seeded hash.
const splits = subjectSplitResolver(new Map(), 3);
const labels: Label[] = Array.from({ length: 60 }, (_, i) => ({
  subjectId: i + 1,
  predictionTime: Date.UTC(2020, 0, 1 + i),
  booleanValue: i % 2 === 0,
  integerValue: null,
  floatValue: null,
  categoricalValue: null,
}));
const task: TaskLabels = {
  name: 'parity',
  spec: null,
  labels,
  skipped: { 'no visit': 2 },
  summary: summarizeLabels({ name: 'parity', kind: 'imported', group: 'imported' as never }, labels, splits),
};

describe('labels directory (artifacts/labelsDir.ts)', () => {
  const labelsDir = join(dir, 'labels');
  it('what writeLabelOutputs writes, readLabelsDir and loadTasks read back', async () => {
    const written = await writeLabelOutputs(labelsDir, [task], {
      dataset: '/data/meds',
      seed: 7,
      splits,
      subjects: 60,
      subjectsPerSplit: { train: 40 },
      hashSplitSubjects: 60,
      ks: [1, 2],
      replicates: 2,
    });
    const ld = readLabelsDir(labelsDir);
    assert.deepEqual(ld.summary, written.summary);
    assert.deepEqual(ld.shots, written.shots);
    assert.equal(ld.summary.splitSource, 'hash');
    assert.deepEqual(tasksWithLabels(ld), ['parity']);
    const [t] = await loadTasks(ld, ['parity'], splits);
    assert.deepEqual(t?.labels, labels);
    assert.deepEqual(
      [...(t?.y ?? [])],
      labels.map((l) => (l.booleanValue ? 1 : 0)),
    );
    assert.deepEqual(
      t?.split,
      labels.map((l) => splits.splitOf(l.subjectId)),
    );
    await assert.rejects(loadTasks(ld, ['nope'], splits), /unknown task "nope" .*known: parity/);
  });

  it('a damaged summary.json or shots.json names the file and field', () => {
    const summaryFile = join(labelsDir, 'summary.json');
    const good = readFileSync(summaryFile, 'utf8');
    try {
      const s = JSON.parse(good);
      delete s.tasks.parity.file;
      writeFileSync(summaryFile, JSON.stringify(s));
      rejects(() => readLabelsDir(labelsDir), /expected string, received undefined/, { file: summaryFile, field: 'tasks.parity.file' });
      writeFileSync(summaryFile, '{"dataset": ');
      rejects(() => readLabelsDir(labelsDir), /invalid JSON/, { file: summaryFile });
    } finally {
      writeFileSync(summaryFile, good);
    }
    const shotsFile = join(labelsDir, 'shots.json');
    const goodShots = readFileSync(shotsFile, 'utf8');
    try {
      const shots = JSON.parse(goodShots);
      shots.tasks.parity.replicates[0]['1'].train = 'all';
      writeFileSync(shotsFile, JSON.stringify(shots));
      rejects(() => readLabelsDir(labelsDir), /expected array/, { file: shotsFile, field: 'tasks.parity.replicates.0.1.train' });
    } finally {
      writeFileSync(shotsFile, goodShots);
    }
    rejects(() => readLabelsDir(join(dir, 'nowhere')), /not a labels directory: summary\.json is missing/, { file: join(dir, 'nowhere') });
  });
});

describe('features manifest (artifacts/featuresManifest.ts)', () => {
  const manifest: FeaturesManifest = {
    model: 'use-lite',
    family: 'plain',
    description: 'test',
    dims: 4,
    format: 'markdown',
    maxTokens: null,
    tokenizer: 'qwen2',
    instruction: 'none',
    tasks: { parity: { labels: 60, file: 'parity.parquet' } },
    inputs: 60,
    pairs: 60,
    distinctTexts: 60,
    distinctInputs: 60,
    cacheHits: 0,
    toEmbed: 60,
    tokens: { mean: 10, p50: 10, p90: 12, max: 14, truncated: 0 },
    tokensToEmbed: 600,
    seconds: { serialize: 0.1, embed: 0.2 },
    dryRun: false,
    missingSubjects: 0,
  };

  it('round trip, and a shard writes its part manifest', () => {
    const features = join(dir, 'features');
    assert.equal(writeFeaturesManifest(features, manifest), join(features, FEATURES_MANIFEST_FILE));
    assert.deepEqual(readFeaturesManifest(features), manifest);
    const sharded = join(dir, 'sharded');
    assert.equal(
      writeFeaturesManifest(sharded, { ...manifest, shard: { index: 1, count: 2 } }, { index: 1, count: 2 }),
      join(sharded, 'manifest.part-1-of-2.json'),
    );
    rejects(() => readFeaturesManifest(sharded), /missing 1 of 2 shard manifests \(manifest\.part-0-of-2\.json\)/, { file: sharded });
  });

  it('what readers rely on is checked, naming the field', () => {
    const f = 'x/manifest.json';
    rejects(() => checkFeaturesManifest({ ...manifest, format: 'html' }, f), /features manifest: .*expected one of "markdown"/, {
      file: f,
      field: 'format',
    });
    rejects(() => checkFeaturesManifest({ ...manifest, dims: 0 }, f), /features manifest: /, { field: 'dims' });
    rejects(() => checkFeaturesManifest({ ...manifest, dryRun: true }, f), /features manifest: a real embed run, not a dry run/, {
      field: 'dryRun',
    });
    rejects(() => checkFeaturesManifest({ ...manifest, instruction: 'always' }, f), /instruction/, { field: 'instruction' });
    rejects(() => checkFeaturesManifest([], f), /features manifest: .*expected object/, { file: f });
    // Fields a reader does not check are kept as written, in their order.
    const extra = { extra: 1, ...manifest };
    assert.deepEqual(Object.keys(checkFeaturesManifest(extra, f)), Object.keys(extra));
  });
});

describe('results.json (artifacts/resultsFile.ts)', () => {
  it('buildResultsFile → writeResultsFile → readResultsFile', async () => {
    const ld = readLabelsDir(join(dir, 'labels'));
    const [t] = await loadTasks(ld, ['parity'], splits);
    assert.ok(t);
    // One informative feature (the outcome plus noise-free offset) and one constant.
    const rows = new Float32Array(t.labels.length * 2).map((_, i) => (i % 2 === 0 ? (t.y[i / 2] ?? 0) : 1));
    const sets: FeatureSet[] = [matrixFeatureSet('toy', 2, new Map([['parity', rows]]), false)];
    const evaluation = await runEvaluation([t], sets, [lrHead], {
      ks: ['all'],
      replicates: 1,
      bootstrap: 20,
      pairedResamples: 20,
      seed: 1,
    });
    const built = buildResultsFile({
      settings: {
        labels: ld.dir,
        meds: '/data/meds',
        ks: ['all'],
        replicates: 1,
        heads: ['lr'],
        bootstrap: 20,
        pairedResamples: 20,
        seed: 1,
        counts: { enabled: false, timeBins: false, deciles: false },
      },
      tasks: [t],
      labels: ld.summary,
      featureSets: sets,
      heads: ['lr'],
      evaluation,
    });
    assert.deepEqual(built.tasks?.parity, { group: t.group, labels: 60, ...ld.summary.tasks.parity?.splits });
    assert.deepEqual(built.featureSets, [{ name: 'toy', dims: 2, baseline: false, heads: ['lr'] }]);
    assert.equal('notes' in built, false);
    assert.equal(built.results.length, 1, JSON.stringify(built.skipped));
    const file = join(dir, 'results.json');
    writeResultsFile(file, built);
    assert.deepEqual(readResultsFile(file), JSON.parse(JSON.stringify(built)));
    writeFileSync(file, JSON.stringify({ ...built, macro: 'none' }));
    rejects(() => readResultsFile(file), /evaluation results: .*expected array/, { file, field: 'macro' });
  });
});
