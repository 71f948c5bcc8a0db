import { Command, Option } from 'commander';
import { checkEmbedder } from '../../embed/checkEmbedder.ts';
import { createEmbedder, EMBEDDERS } from '../../embed/createEmbedder.ts';
import { MODEL_FAMILIES, type ModelFamily } from '../../embed/Embedder.ts';
import { makeTable } from '../table.ts';

/** `ehr-embed check-embedder --model <spec>`: conformance before a long run. */
export function checkEmbedderCommand(): Command {
  return new Command('check-embedder')
    .description(
      'Check an embedding model before a long run: dimension, norm, determinism, batch independence, that the instruction changes the vector, how long texts are truncated, and agreement with reference vectors. Exit code 1 when a check fails.',
    )
    .option('--model <spec>', `model spec: ${[...EMBEDDERS.keys()].join(' | ')}`, 'use-lite')
    .addOption(new Option('--family <family>', 'instruction format (default: guessed from the model name)').choices([...MODEL_FAMILIES]))
    .option('--reference <file>', 'JSONL of {"text", "instruction"?, "embedding": [...]} reference vectors to agree with (cosine >= 0.99)')
    .option('--json', 'print JSON', false)
    .action(async (opts: { model: string; family?: ModelFamily; reference?: string; json: boolean }) => {
      const embedder = createEmbedder(opts.model, { ...(opts.family ? { family: opts.family } : {}) });
      try {
        const results = await checkEmbedder(embedder, { ...(opts.reference ? { referenceFile: opts.reference } : {}) });
        if (opts.json) process.stdout.write(JSON.stringify({ model: embedder.spec, family: embedder.family, results }, null, 2) + '\n');
        else {
          const t = makeTable(['check', 'result', 'detail']);
          for (const r of results) t.push([r.name, r.status, r.detail]);
          process.stdout.write(`${embedder.description}\n${t.toString()}\n`);
        }
        if (results.some((r) => r.status === 'fail')) process.exitCode = 1;
      } finally {
        await embedder.close();
      }
    });
}
