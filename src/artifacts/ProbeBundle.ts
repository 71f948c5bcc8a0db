/**
 * A trained probe ready to serve (`probe.json`): the fitted head (max-abs scaler + logistic
 * regression) together with everything that decided what its features meant at training time:
 * the serializer settings and code descriptions, the embedding model spec and family, and the
 * exact instruction text. A SHA-256 checksum over all of it ties them together: a bundle whose
 * head was trained for one model or text format cannot silently be served with another.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { SERIALIZE_FORMATS } from '../serialize/serialize.ts';
import type { SerializeFormat } from '../serialize/serialize.ts';
import type { ProbeTraining } from '../eval/trainProbe.ts';
import type { CodeMetadata } from '../types.ts';
import { FittedLogistic, type LogisticJSON } from '../probe/FittedLogistic.ts';
import { FittedMaxAbsScaler, type MaxAbsScalerJSON } from '../probe/maxAbsScaler.ts';

/** File name of a probe bundle inside a probe directory. */
export const PROBE_FILE = 'probe.json';

/** Value of the `kind` field of every probe bundle. */
export const PROBE_BUNDLE_KIND = 'ehr-embed-probe';

/** How texts were serialized for training (and must be for serving). */
export interface ProbeSerializer {
  /** A serializer format (see `SERIALIZE_FORMATS`). */
  readonly format: SerializeFormat;
  /** Token budget, or null for none. */
  readonly maxTokens: number | null;
  /** Tokenizer of the budget (`qwen2`, `qwen3`, `llama3`, `chars`). */
  readonly tokenizer: string;
  /**
   * Code descriptions and parents the training texts were made with (the training dataset's
   * vocabulary chain, resolved): served texts use the same words for the same codes.
   */
  readonly vocabulary: readonly CodeMetadata[];
}

/** The embedding model the features came from. */
export interface ProbeModel {
  /** Canonical model spec (`use-lite`, `openai:<url>#<model>`). */
  readonly spec: string;
  /** Instruction family (`qwen`, `llm2vec`, `plain`). */
  readonly family: string;
  /** Embedding dimension. */
  readonly dims: number;
}

/** Everything in `probe.json` except the checksum. */
export interface ProbeBundleData {
  readonly kind: typeof PROBE_BUNDLE_KIND;
  readonly version: 1;
  /** Task name (the label file's name). */
  readonly task: string;
  /** ISO 8601 creation time. */
  readonly createdAt: string;
  /** ehr-embed version that trained it. */
  readonly ehrEmbedVersion: string;
  readonly model: ProbeModel;
  readonly serializer: ProbeSerializer;
  /** The instruction mode of the embed run and its resolved text (null: none). */
  readonly instruction: { readonly mode: string; readonly text: string | null };
  readonly head: { readonly scaler: MaxAbsScalerJSON; readonly logistic: LogisticJSON };
  readonly training: ProbeTraining;
}

/** `probe.json`: the data and `checksum` (`sha256:<hex>` of {@link canonicalJson} of the data). */
export interface ProbeBundleJSON extends ProbeBundleData {
  readonly checksum: string;
}

/** Options of {@link ProbeBundle.load} and {@link ProbeBundle.fromJSON}. */
export interface LoadProbeOptions {
  /**
   * The model spec the server embeds with. When given, a bundle trained on another model is
   * refused (default: not checked).
   */
  readonly modelSpec?: string;
  /** The server model's family; checked like `modelSpec` (default: not checked). */
  readonly modelFamily?: string;
}

/**
 * JSON with object keys sorted at every level and no whitespace: the byte string the checksum is
 * computed over, so key order in the file does not matter.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new UsageError(`cannot checksum a non-finite number (${value})`);
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** `sha256:<hex>` over the canonical JSON of the bundle data. */
export function probeChecksum(data: ProbeBundleData): string {
  return `sha256:${createHash('sha256').update(canonicalJson(data)).digest('hex')}`;
}

/** A loaded, verified probe bundle. Immutable. */
export class ProbeBundle {
  readonly data: ProbeBundleData;
  readonly checksum: string;
  readonly scaler: FittedMaxAbsScaler;
  readonly logistic: FittedLogistic;

  private constructor(data: ProbeBundleData, checksum: string) {
    this.data = data;
    this.checksum = checksum;
    this.scaler = FittedMaxAbsScaler.fromJSON(data.head.scaler);
    this.logistic = FittedLogistic.fromJSON(data.head.logistic);
    if (this.scaler.nFeatures !== this.logistic.nFeatures || this.logistic.nFeatures !== data.model.dims) {
      throw new UsageError(
        `probe head shapes disagree: scaler ${this.scaler.nFeatures}, logistic ${this.logistic.nFeatures}, model dims ${data.model.dims}`,
        { field: 'head' },
      );
    }
    Object.freeze(this);
  }

  /** Seal new bundle data (computes the checksum). */
  static create(data: ProbeBundleData): ProbeBundle {
    validateData(data);
    return new ProbeBundle(data, probeChecksum(data));
  }

  /**
   * Verify and load parsed `probe.json` content.
   *
   * @throws UsageError for a wrong kind or version, a missing field, a checksum that does not
   *   match the content (edited or corrupt), or a model other than `options.modelSpec`.
   */
  static fromJSON(json: unknown, options: LoadProbeOptions = {}): ProbeBundle {
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new UsageError('not a probe bundle: expected a JSON object', { field: '(root)' });
    const { checksum, ...rest } = json as Record<string, unknown>;
    if (rest.kind !== PROBE_BUNDLE_KIND)
      throw new UsageError(`not a probe bundle: expected kind "${PROBE_BUNDLE_KIND}"`, { field: 'kind' });
    if (rest.version !== 1)
      throw new UsageError(`unsupported probe bundle version ${JSON.stringify(rest.version)} (this ehr-embed reads version 1)`, {
        field: 'version',
      });
    if (typeof checksum !== 'string') throw new UsageError('probe bundle has no checksum', { field: 'checksum' });
    const data = rest as unknown as ProbeBundleData;
    validateData(data);
    const actual = probeChecksum(data);
    if (actual !== checksum)
      throw new UsageError(`checksum mismatch: the probe bundle was changed after training (recorded ${checksum}, content ${actual})`, {
        field: 'checksum',
      });
    if (options.modelSpec !== undefined && options.modelSpec !== data.model.spec) {
      throw new UsageError(
        `probe for task "${data.task}" was trained on model "${data.model.spec}", but the server embeds with "${options.modelSpec}"; serve with --model ${data.model.spec}`,
        { field: 'model.spec' },
      );
    }
    if (options.modelFamily !== undefined && options.modelFamily !== data.model.family) {
      throw new UsageError(
        `probe for task "${data.task}" was trained with instruction family "${data.model.family}", but the server model uses "${options.modelFamily}"`,
        { field: 'model.family' },
      );
    }
    return new ProbeBundle(data, actual);
  }

  /**
   * Read a probe bundle from a probe directory (holding `probe.json`) or a `.json` file.
   *
   * @throws UsageError naming the file for a missing file, invalid JSON or a failed check.
   */
  static load(path: string, options: LoadProbeOptions = {}): ProbeBundle {
    const file = existsSync(path) && statSync(path).isDirectory() ? join(path, PROBE_FILE) : path;
    if (!existsSync(file))
      throw new UsageError(`no probe bundle here (expected a directory with ${PROBE_FILE}, written by \`ehr-embed train\`)`, {
        file: path,
      });
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new UsageError(`invalid JSON: ${(err as Error).message}`, { file });
    }
    try {
      return ProbeBundle.fromJSON(json, options);
    } catch (err) {
      if (err instanceof UsageError) throw new UsageError(err.message, { file }, { cause: err });
      throw err;
    }
  }

  /** Task name. */
  get task(): string {
    return this.data.task;
  }

  /** The JSON written to `probe.json`. */
  toJSON(): ProbeBundleJSON {
    return { ...this.data, checksum: this.checksum };
  }

  /** Write `<dir>/probe.json` (creating `dir`); returns the file path. */
  save(dir: string): string {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, PROBE_FILE);
    writeFileSync(file, JSON.stringify(this.toJSON(), null, 1) + '\n');
    return file;
  }

  /**
   * Probability of the positive class for one embedding (scaled with the training scaler, then
   * the logistic regression: the batch evaluation's computation).
   *
   * @throws UsageError when the vector's length is not the model's dimension.
   */
  predictProba(embedding: Float32Array | Float64Array): number {
    if (embedding.length !== this.logistic.nFeatures) {
      throw new UsageError(
        `embedding has ${embedding.length} dimensions, the probe for "${this.data.task}" expects ${this.logistic.nFeatures}`,
        { field: 'embedding' },
      );
    }
    return this.logistic.predictProba(this.scaler.transform(embedding))[0] as number;
  }
}

function validateData(d: ProbeBundleData): void {
  const need = (ok: boolean, field: string, expected: string): void => {
    if (!ok) throw new UsageError(`not a valid probe bundle: expected ${expected}`, { field });
  };
  need(typeof d.task === 'string' && d.task !== '', 'task', 'a task name');
  need(typeof d.model === 'object' && d.model !== null, 'model', 'an object');
  need(typeof d.model.spec === 'string' && d.model.spec !== '', 'model.spec', 'a model spec');
  need(typeof d.model.family === 'string', 'model.family', 'a family name');
  need(Number.isInteger(d.model.dims) && d.model.dims > 0, 'model.dims', 'a positive integer');
  need(typeof d.serializer === 'object' && d.serializer !== null, 'serializer', 'an object');
  need(
    (SERIALIZE_FORMATS as readonly unknown[]).includes(d.serializer.format),
    'serializer.format',
    `one of ${SERIALIZE_FORMATS.join(', ')}`,
  );
  need(
    d.serializer.maxTokens === null || (Number.isInteger(d.serializer.maxTokens) && d.serializer.maxTokens > 0),
    'serializer.maxTokens',
    'null or a positive integer',
  );
  need(typeof d.serializer.tokenizer === 'string', 'serializer.tokenizer', 'a tokenizer name');
  need(Array.isArray(d.serializer.vocabulary), 'serializer.vocabulary', 'an array of { code, description, parentCodes }');
  need(
    typeof d.instruction === 'object' && d.instruction !== null && (d.instruction.text === null || typeof d.instruction.text === 'string'),
    'instruction',
    '{ mode, text }',
  );
  need(typeof d.head === 'object' && d.head !== null, 'head', '{ scaler, logistic }');
  need(typeof d.training === 'object' && d.training !== null, 'training', 'an object');
}
