/**
 * The benchmark configuration (YAML or JSON), validated before any work starts. Unknown keys are
 * errors, reported with their path, so a typo never silently changes a run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CONVERTERS } from '../convert/registry.ts';
import { validateModelSpec } from '../embed/createEmbedder.ts';
import { MODEL_FAMILIES, type ModelFamily } from '../embed/Embedder.ts';
import { UsageError } from '../errors.ts';
import { INSTRUCTION_MODES } from '../serialize/instructions.ts';
import { SERIALIZE_FORMATS } from '../serialize/serialize.ts';
import { TOKENIZER_NAMES } from '../tokenize/getTokenizer.ts';

const SerializationSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/)
      .describe('short name used in output paths and the report'),
    format: z.enum(SERIALIZE_FORMATS).default('markdown'),
    maxTokens: z.number().int().positive().optional().describe('token budget per text (default: none)'),
    tokenizer: z.enum(TOKENIZER_NAMES as [string, ...string[]]).default('qwen2'),
    instruction: z.enum(INSTRUCTION_MODES).default('task'),
  })
  .describe('one way to turn a record into text');

const ModelSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .describe('short name used in output paths and the report'),
  spec: z.string().min(1).describe('model spec: use-lite | onnx:<model-dir> | gguf:<file> | openai:<base-url>#<model>'),
  family: z
    .enum(MODEL_FAMILIES as [ModelFamily, ...ModelFamily[]])
    .optional()
    .describe('instruction format (default: guessed from the name)'),
});

/** The benchmark config schema. */
export const BenchmarkConfigSchema = z.strictObject({
  title: z.string().default('ehr-embed benchmark'),
  data: z
    .strictObject({
      meds: z.string().optional().describe('an existing MEDS dataset directory'),
      convert: z
        .strictObject({
          from: z.enum([...CONVERTERS.keys()] as [string, ...string[]]),
          input: z.string(),
          split: z
            .strictObject({ train: z.number().gt(0).lt(1), tuning: z.number().gt(0).lt(1) })
            .refine((f) => f.train + f.tuning < 1, { message: 'train + tuning must leave a held_out share' })
            .optional()
            .describe('hash split fractions (default train 0.7, tuning 0.15; held_out the rest)'),
        })
        .optional()
        .describe('a source to convert to MEDS first'),
      vocab: z.array(z.string()).default([]).describe('extra vocabularies for descriptions'),
    })
    .refine((d) => (d.meds === undefined) !== (d.convert === undefined), { message: 'give exactly one of data.meds or data.convert' }),
  tasks: z.union([z.literal('all'), z.array(z.string()).min(1)]).default('all'),
  seed: z.number().int().default(0),
  labels: z
    .strictObject({
      maxPerSplit: z.number().int().positive().optional().describe('sample at most this many labels per task and split (time budgets)'),
    })
    .default({}),
  serializations: z
    .array(SerializationSchema)
    .min(1)
    .default([{ name: 'markdown', format: 'markdown', tokenizer: 'qwen2', instruction: 'task' }]),
  models: z.array(ModelSchema).default([]),
  baselines: z
    .strictObject({
      countLr: z.boolean().default(true),
      countGbm: z.boolean().default(true),
      timeBins: z.boolean().default(false),
      deciles: z.boolean().default(false),
      ontology: z
        .boolean()
        .default(false)
        .describe('count features also for every ancestor of a code (parent_codes of metadata/codes.parquet)'),
      countGbmExt: z
        .boolean()
        .default(false)
        .describe('also the extended count GBM "counts-ext" (time bins, deciles and ontology ancestors: the paper\'s count-GBM ext)'),
      combine: z.boolean().default(false).describe('also evaluate each embedding set concatenated with the count features (linear head)'),
    })
    .default({ countLr: true, countGbm: true, timeBins: false, deciles: false, ontology: false, countGbmExt: false, combine: false }),
  evaluation: z
    .strictObject({
      ks: z
        .array(z.union([z.number().int().positive(), z.literal('all')]))
        .min(1)
        .default([1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 128, 'all']),
      replicates: z.number().int().positive().default(5),
      bootstrap: z.number().int().positive().default(1000),
      pairedResamples: z.number().int().positive().default(10_000),
    })
    .default({ ks: [1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 128, 'all'], replicates: 5, bootstrap: 1000, pairedResamples: 10_000 }),
  cache: z.string().default('.ehr-embed-cache/embeddings').describe('embedding cache directory'),
});

/** A validated config, paths resolved against the config file's directory. */
export type BenchmarkConfig = z.infer<typeof BenchmarkConfigSchema>;

/** JSON Schema of the config, for editors. */
export function benchmarkConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(BenchmarkConfigSchema, { io: 'input' }) as Record<string, unknown>;
}

/**
 * Validate a config object: schema, model specs, data paths. Errors name the file and the path of
 * the bad key. Relative paths are resolved against `baseDir`.
 */
export function validateBenchmarkConfig(raw: unknown, file: string, baseDir: string): BenchmarkConfig {
  const r = BenchmarkConfigSchema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.map((i) => {
      const path =
        i.path.length > 0
          ? i.path
              .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
              .join('')
              .replace(/^\./, '')
          : '(top level)';
      const keys = i.code === 'unrecognized_keys' ? ` ${(i as { keys: string[] }).keys.map((k) => `"${k}"`).join(', ')}` : '';
      return `${path}: ${i.message}${keys}`;
    });
    throw new UsageError(`invalid benchmark config:\n  ${issues.join('\n  ')}`, { file });
  }
  const c = r.data;
  const abs = (p: string): string => resolve(baseDir, p);
  const data = {
    ...c.data,
    ...(c.data.meds ? { meds: abs(c.data.meds) } : {}),
    ...(c.data.convert ? { convert: { ...c.data.convert, input: abs(c.data.convert.input) } } : {}),
    vocab: c.data.vocab.map(abs),
  };
  const must = (p: string | undefined, key: string): void => {
    if (p !== undefined && !existsSync(p)) throw new UsageError(`invalid benchmark config:\n  ${key}: path does not exist: ${p}`, { file });
  };
  must(data.meds, 'data.meds');
  must(data.convert?.input, 'data.convert.input');
  data.vocab.forEach((v, i) => must(v, `data.vocab[${i}]`));
  c.models.forEach((m, i) => {
    try {
      validateModelSpec(m.spec);
    } catch (err) {
      throw new UsageError(`invalid benchmark config:\n  models[${i}].spec: ${(err as Error).message.replace(/^field "model": /, '')}`, {
        file,
      });
    }
  });
  const dup = (names: string[], key: string): void => {
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n)) throw new UsageError(`invalid benchmark config:\n  ${key}: duplicate name "${n}"`, { file });
      seen.add(n);
    }
  };
  dup(
    c.models.map((m) => m.name),
    'models',
  );
  dup(
    c.serializations.map((s) => s.name),
    'serializations',
  );
  if (c.models.length === 0 && !c.baselines.countLr && !c.baselines.countGbm)
    throw new UsageError('invalid benchmark config:\n  models: nothing to evaluate (no models and no baselines)', { file });
  return { ...c, data, cache: abs(c.cache) };
}

/** Read and validate a config file (YAML or JSON). */
export function loadBenchmarkConfig(file: string): BenchmarkConfig {
  if (!existsSync(file)) throw new UsageError('config file does not exist', { file });
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`, { file });
  }
  return validateBenchmarkConfig(raw, file, dirname(resolve(file)));
}
