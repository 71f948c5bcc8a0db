/**
 * The public API is exactly the names in test/package/public-exports.txt (one a line, `type ` in
 * front of a type-only export). Adding, removing or renaming an export of src/index.ts fails here:
 * update the list on purpose, note the change in CHANGELOG.md and pick the version bump that
 * docs/versioning.md asks for.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { publicNames } from './exportsOf.ts';

const INDEX = resolve(import.meta.dirname, '../../src/index.ts');
const SNAPSHOT = resolve(import.meta.dirname, 'public-exports.txt');

const snapshot = readFileSync(SNAPSHOT, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '');

describe('public API (src/index.ts)', () => {
  it('exports exactly the names in public-exports.txt', () => {
    const names = publicNames(INDEX);
    const added = names.filter((n) => !snapshot.includes(n));
    const removed = snapshot.filter((n) => !names.includes(n));
    assert.deepEqual(
      { added, removed },
      { added: [], removed: [] },
      'the public API changed: update test/package/public-exports.txt (node --import tsx scripts/update-public-exports.ts) and CHANGELOG.md (docs/versioning.md)',
    );
    assert.deepEqual(snapshot, [...snapshot].sort(), 'public-exports.txt is sorted');
  });

  it('the value exports exist at run time; the headline functions are there; one FeatureMatrix', async () => {
    const api = (await import('../../src/index.ts')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(api).sort(), snapshot.filter((n) => !n.startsWith('type ')).sort());
    for (const fn of [
      'serialize',
      'prepareSubject',
      'getTokenizer',
      'buildCountFeatures',
      'fitCountFeatures',
      'createEmbedder',
      'openMedsDataset',
      'startServer',
    ]) {
      assert.equal(typeof api[fn], 'function', fn);
    }
    assert.equal(snapshot.filter((n) => n === 'type FeatureMatrix').length, 1);
    // Server internals stay internal.
    for (const internal of [
      'apiKeyAuth',
      'errorBody',
      'parseRecordInput',
      'InspectorDataset',
      'INSPECTOR_HTML',
      'isLoopbackHost',
      'layeredVocabulary',
      'parseByteSize',
    ]) {
      assert.ok(!(internal in api), internal);
    }
  });
});
