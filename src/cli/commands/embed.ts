import { Command, Option } from 'commander';
import { createEmbedder, EMBEDDERS } from '../../embed/createEmbedder.ts';
import { MODEL_FAMILIES, type ModelFamily } from '../../embed/Embedder.ts';
import { DEFAULT_CACHE_DIR, EmbeddingCache } from '../../embed/EmbeddingCache.ts';
import type { EmbedReport } from '../../artifacts/featuresManifest.ts';
import { embedLabels, WORKER_MIN_PAIRS } from '../../pipeline/embedLabels.ts';
import { parseByteSize } from '../../server/parseByteSize.ts';
import { INSTRUCTION_MODES, type InstructionMode } from '../../serialize/instructions.ts';
import { GPU_PROFILES } from '../../embed/gpuProfiles.ts';
import { readEmbedTasks } from '../../pipeline/readEmbedTasks.ts';
import { parseShard, shardFromEnv, type ShardSource } from '../../embed/Shard.ts';
import { readLabelsDir, tasksWithLabels } from '../../artifacts/labelsDir.ts';
import { UsageError } from '../../errors.ts';
import { openMedsDataset } from '../../meds/MedsDataset.ts';
import { SERIALIZE_FORMATS, type SerializeFormat } from '../../serialize/serialize.ts';
import { TOKENIZER_NAMES } from '../../tokenize/getTokenizer.ts';
import { buildVocabulary } from '../../vocab/VocabularyChain.ts';
import { parsePositiveInt } from '../parseOptions.ts';
import { progressBar } from '../progressBar.ts';
import { makeTable } from '../table.ts';

interface EmbedCliOptions {
  labels: string;
  tasks?: string;
  model: string;
  family?: ModelFamily;
  format: SerializeFormat;
  maxTokens?: number;
  tokenizer: string;
  instruction: InstructionMode;
  out?: string;
  cache: string;
  vocab: string[];
  dryRun: boolean;
  check: boolean;
  pricePerMillion?: number;
  json: boolean;
  shard?: string;
  gpuProfile?: string;
  workers?: number;
  maxMemory?: number;
}

/** `ehr-embed embed <meds-dir> --labels <dir> --model <spec> --out <features-dir>`. */
export function embedCommand(): Command {
  return new Command('embed')
    .description(
      'Serialize every labeled (subject, prediction time), embed the texts with the task instruction through the content-addressed cache (identical inputs once; an interrupted run keeps its work), and write <out>/<task>.parquet (subject_id, prediction_time, embedding list<float32>) plus manifest.json.',
    )
    .argument('<meds-dir>', 'MEDS dataset directory')
    .requiredOption('--labels <dir>', 'labels directory from `ehr-embed label`')
    .option('--tasks <list>', 'tasks to embed (default: every task with labels)')
    .option('--model <spec>', `model spec: ${[...EMBEDDERS.keys()].join(' | ')}`, 'use-lite')
    .addOption(new Option('--family <family>', 'instruction format (default: guessed from the model name)').choices([...MODEL_FAMILIES]))
    .addOption(new Option('--format <format>', 'serialization format').choices([...SERIALIZE_FORMATS]).default('markdown'))
    .option('--max-tokens <n>', 'token budget per text (default: none)', (v) => parsePositiveInt(v, '--max-tokens'))
    .addOption(new Option('--tokenizer <name>', 'tokenizer for the budget and token counts').choices([...TOKENIZER_NAMES]).default('qwen2'))
    .addOption(
      new Option('--instruction <mode>', "instruction: the task's query, the generic query, or none")
        .choices([...INSTRUCTION_MODES])
        .default('task'),
    )
    .option('--out <features-dir>', 'output directory (required unless --dry-run)')
    .option('--cache <dir>', 'embedding cache directory', DEFAULT_CACHE_DIR)
    .option('--vocab <path...>', 'extra vocabularies for descriptions (see vocab-audit)', [])
    .option(
      '--dry-run',
      'only count texts, distinct inputs, tokens and cache hits, and estimate time (and cost) from a short measured run',
      false,
    )
    .option(
      '--no-check',
      'do not check the embedding server before serializing (a rerun whose inputs are all in the cache needs no server)',
    )
    .option('--price-per-million <usd>', 'price per million input tokens, for the dry-run cost line', (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new UsageError(`--price-per-million expects a number, got "${v}"`);
      return n;
    })
    .option(
      '--shard <i/n>',
      'embed only shard i (0-based) of n: the subjects whose SHA-256 hash of "shard:<subject_id>" falls in it; writes <task>.part-<i>-of-<n>.parquet and manifest.part-<i>-of-<n>.json (default: from EHR_EMBED_SHARD, SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT, or JOB_COMPLETION_INDEX/EHR_EMBED_SHARD_COUNT; else no sharding)',
    )
    .addOption(
      new Option(
        '--gpu-profile <name>',
        "with --dry-run: estimate GPU-hours from the issue's H100 forward-pass ceilings for this model size instead of embedding a measured sample (see docs/cluster.md)",
      ).choices([...GPU_PROFILES.keys()]),
    )
    .option(
      '--workers <n>',
      `threads that serialize and count tokens (default: one per CPU, at most 4, for runs of ${WORKER_MIN_PAIRS} (subject, time) pairs or more; 1 serializes in the main thread); any number gives the same results`,
      (v) => parsePositiveInt(v, '--workers'),
    )
    .option(
      '--max-memory <size>',
      'memory this run may use, e.g. 16gb (default: physical memory or the container limit); the run streams (texts held until embedded, files written from the cache) and stops before serializing when its pairs, cache keys, texts in flight and one batch of vectors would not fit',
      (v) => parseByteSize(v, '--max-memory'),
    )
    .option('--json', 'print the report as JSON', false)
    .action(async (dir: string, o: EmbedCliOptions) => {
      if (!o.dryRun && o.out === undefined) throw new UsageError('--out <features-dir> is required (or use --dry-run)');
      if (o.gpuProfile !== undefined && !o.dryRun) throw new UsageError('--gpu-profile only applies to --dry-run');
      const shard: ShardSource | undefined = o.shard !== undefined ? { shard: parseShard(o.shard), from: '--shard' } : shardFromEnv();
      if (shard !== undefined) process.stderr.write(`ehr-embed: shard ${shard.shard.index}/${shard.shard.count} (from ${shard.from})\n`);
      const ld = readLabelsDir(o.labels);
      const names = o.tasks ? o.tasks.split(',').map((t) => t.trim()) : tasksWithLabels(ld);
      const tasks = await readEmbedTasks(ld, names);
      const ds = await openMedsDataset(dir);
      const embedder = createEmbedder(o.model, { ...(o.family ? { family: o.family } : {}) });
      const cache = EmbeddingCache.open(o.cache);
      const bars = { serialize: progressBar('serialize', 'texts'), embed: progressBar('embed', 'inputs') };
      try {
        const codes = await ds.distinctCodes();
        const vocabularyInputs = { codes, datasetCodes: ds.codes, paths: o.vocab };
        const vocabulary = await buildVocabulary(vocabularyInputs);
        const report = await embedLabels(ds, tasks, embedder, cache, {
          format: o.format,
          ...(o.maxTokens !== undefined ? { maxTokens: o.maxTokens } : {}),
          tokenizer: o.tokenizer,
          instruction: o.instruction,
          vocabulary,
          vocabularyInputs,
          ...(o.workers !== undefined ? { workers: o.workers } : {}),
          ...(o.maxMemory !== undefined ? { maxMemory: o.maxMemory } : {}),
          out: o.out ?? '',
          dryRun: o.dryRun,
          check: o.check,
          ...(shard !== undefined ? { shard: shard.shard } : {}),
          ...(o.gpuProfile !== undefined ? { gpuProfile: o.gpuProfile } : {}),
          ...(o.pricePerMillion !== undefined ? { pricePerMillionTokens: o.pricePerMillion } : {}),
          onProgress: (stage, d, n) => bars[stage].update(d, n),
        });
        bars.serialize.stop();
        bars.embed.stop();
        if (report.missingSubjects > 0)
          throw new UsageError(
            `${report.missingSubjects} label(s) refer to subjects that are not in ${dir}: were the labels made from another dataset?`,
            { file: o.labels },
          );
        process.stdout.write(o.json ? JSON.stringify(report, null, 2) + '\n' : formatEmbedReport(report, o.out));
      } finally {
        bars.serialize.stop();
        bars.embed.stop();
        await cache.close();
        await embedder.close();
        ds.close();
      }
    });
}

/** Human summary of an embed run or dry run. */
export function formatEmbedReport(r: EmbedReport, out?: string): string {
  const t = makeTable(['measure', 'value']);
  t.push(['model', `${r.model} (${r.family})`]);
  if (r.shard !== undefined) t.push(['shard', `${r.shard.index} of ${r.shard.count} (0-based)`]);
  t.push(['serialization', `${r.format}, budget ${r.maxTokens ?? 'none'} (${r.tokenizer} tokens), instruction ${r.instruction}`]);
  t.push(['label rows / distinct (subject, time) / distinct texts', `${r.inputs} / ${r.pairs} / ${r.distinctTexts}`]);
  t.push(['distinct inputs (text + instruction)', String(r.distinctInputs)]);
  t.push(['cache hits / to embed', `${r.cacheHits} / ${r.toEmbed}`]);
  t.push(['tokens per text: mean, p50, p90, max', `${r.tokens.mean.toFixed(0)}, ${r.tokens.p50}, ${r.tokens.p90}, ${r.tokens.max}`]);
  t.push(['texts cut to the budget', String(r.tokens.truncated)]);
  t.push(['tokens to embed', String(r.tokensToEmbed)]);
  t.push(['serialize time (s)', r.seconds.serialize.toFixed(1)]);
  if (r.dryRun) {
    if (r.gpuEstimate !== undefined) {
      const g = r.gpuEstimate;
      t.push(['GPU profile', `${g.profile}: ${g.description}`]);
      t.push(['inputs / tokens to embed (instructions included)', `${g.texts} / ${g.tokens}`]);
      t.push([
        'estimated GPU-hours (forward-pass ceiling: a lower bound)',
        g.gpuHours < 0.1 ? g.gpuHours.toFixed(4) : g.gpuHours.toFixed(2),
      ]);
      t.push(['estimated time on 1 / 8 GPUs', `${formatDuration(g.gpuHours * 3600)} / ${formatDuration((g.gpuHours * 3600) / 8)}`]);
    } else if (r.estimatedSeconds !== undefined) t.push(['estimated embedding time', formatDuration(r.estimatedSeconds)]);
    else t.push(['estimated embedding time', r.estimateNote ?? 'none']);
    if (r.estimatedCostUsd !== undefined) t.push(['estimated cost (USD)', r.estimatedCostUsd.toFixed(2)]);
  } else {
    for (const sv of r.servers ?? [])
      t.push([
        `server ${sv.baseUrl}`,
        `${sv.inputs} inputs in ${sv.requests} requests, ${sv.failures} failed (${sv.stalls} stalled), ${sv.latencyMs === undefined ? '-' : `${sv.latencyMs.toFixed(0)} ms`} per batch`,
      ]);
    t.push([
      'embed time (s)',
      `${r.seconds.embed.toFixed(1)}${r.toEmbed > 0 ? ` (${(r.toEmbed / Math.max(r.seconds.embed, 1e-9)).toFixed(1)} inputs/s)` : ''}`,
    ]);
  }
  return `${t.toString()}\n${r.dryRun ? 'Dry run: nothing was written.' : r.shard !== undefined ? `Wrote ${Object.keys(r.tasks).length} part file(s) and manifest.part-${r.shard.index}-of-${r.shard.count}.json to ${out}; when every shard is done, \`ehr-embed merge-features ${out}\` writes single files (evaluate, train and benchmark also read the parts as they are).` : `Wrote ${Object.keys(r.tasks).length} feature file(s) and manifest.json to ${out}.`}\n`;
}

function formatDuration(s: number): string {
  if (s < 120) return `${s.toFixed(0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
