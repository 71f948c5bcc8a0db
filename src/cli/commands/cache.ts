import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { EmbeddingCache } from '../../embed/EmbeddingCache.ts';
import { makeTable } from '../table.ts';

/** `ehr-embed cache merge <dst> <src...>`: combine the embedding caches of shards or machines. */
export function cacheCommand(): Command {
  const cache = new Command('cache').description('Manage embedding caches (LMDB directories given to `embed --cache`).');
  cache
    .command('merge')
    .description(
      "Copy into <dst> every cached vector of each <src> that <dst> lacks (keys are content hashes of model spec, family, instruction and text, so they mean the same in every cache); a rerun anywhere with <dst> finds every vector. Sources are read-only and unchanged; <dst> is created if needed. An entry present in both with different bytes keeps <dst>'s vector and is counted as differing.",
    )
    .argument('<dst>', 'destination cache directory')
    .argument('<src...>', "source cache directories (for example each shard's --cache)")
    .option('--json', 'print the counts as JSON', false)
    .action(async (dst: string, srcs: string[], o: { json: boolean }) => {
      // Check every source before creating or touching the destination.
      for (const src of srcs)
        if (!existsSync(join(src, 'data.mdb'))) throw new UsageError('not an embedding cache (no data.mdb)', { file: src });
      const db = EmbeddingCache.open(dst);
      try {
        const stats = [];
        for (const src of srcs) stats.push(await db.mergeFrom(src));
        const size = db.size;
        if (o.json) {
          process.stdout.write(JSON.stringify({ destination: dst, size, sources: stats }, null, 2) + '\n');
          return;
        }
        const t = makeTable(['source', 'read', 'added', 'already there', 'differing']);
        for (const s of stats) t.push([s.source, String(s.read), String(s.added), String(s.same), String(s.differing)]);
        process.stdout.write(`${t.toString()}\n${dst} now holds ${size} vectors.\n`);
      } finally {
        await db.close();
      }
    });
  return cache;
}
