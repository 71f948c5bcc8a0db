// use-lite start-up failures: a model that cannot be loaded is retried once, then reported as one
// clean error by ready() and embed(), never as an unhandled rejection that kills the process.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { UseLiteEmbedder } from '../../src/embed/UseLiteEmbedder.ts';
import { isUsageError } from '../../src/errors.ts';
import { tempDir } from '../helpers/paths.ts';

describe('use-lite start-up', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): void => {
    unhandled.push(e);
  };
  process.on('unhandledRejection', onUnhandled);
  after(() => process.off('unhandledRejection', onUnhandled));

  it('a model that fails to load is a clean UsageError after a retry, with no unhandled rejection', async () => {
    const e = new UseLiteEmbedder({ threads: 1, modelDir: tempDir() });
    try {
      // Let the load fail before anyone awaits it: this was an unhandled rejection.
      await assert.rejects(
        e.ready(),
        (err) => isUsageError(err) && /could not be loaded \(2 tries\)/.test(err.message) && /model\.json/.test(err.message),
      );
      await assert.rejects(e.embed([{ text: 'x', instruction: null }]), (err) => isUsageError(err) && !/\n\s+at /.test(err.message));
    } finally {
      await e.close();
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(unhandled, []);
  });

  it('closing while the model loads does not leave a rejection behind', async () => {
    const e = new UseLiteEmbedder({ threads: 1, modelDir: tempDir() });
    await e.close();
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(unhandled, []);
  });
});
