/**
 * Feature files: one parquet per task with `subject_id` int64, `prediction_time` timestamp[us]
 * and `embedding` list<float32>, which pandas, polars and DuckDB read directly.
 *
 * Writing list columns row by row is slow in every JS route (and DuckDB's appender leaks memory
 * on FLOAT[] rows), so rows are buffered into parts of `partRows` written as wide float32 columns
 * (fast, typed arrays) and DuckDB assembles the list column once at the end.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { UsageError } from '../errors.ts';
import { duckMessage, openDuck, sqlString } from './duckdb.ts';
import { float32Items } from './vectorViews.ts';

/** Rows of a feature file, columnar. Row i: subjectIds[i], predictionTimes[i], data[i*dims .. (i+1)*dims). */
export interface FeatureMatrix {
  readonly subjectIds: Float64Array;
  /** Epoch milliseconds. */
  readonly predictionTimes: Float64Array;
  readonly dims: number;
  /** Row-major float32 values. */
  readonly data: Float32Array;
}

/** Streaming writer of one feature file. */
export class FeatureFileWriter {
  private readonly parts: string[] = [];
  private ids: number[] = [];
  private times: number[] = [];
  private vecs: Float32Array[] = [];
  private dims: number | undefined;
  private readonly tmp: string;

  /**
   * @param file output parquet path (written atomically on {@link finish})
   * @param partRows rows per temporary part (default 4096)
   */
  constructor(
    readonly file: string,
    private readonly partRows = 4096,
  ) {
    this.tmp = `${file}.parts`;
    rmSync(this.tmp, { recursive: true, force: true });
    mkdirSync(this.tmp, { recursive: true });
  }

  /** Add one row. */
  add(subjectId: number, predictionTime: number, vector: Float32Array): void {
    if (this.dims === undefined) this.dims = vector.length;
    if (vector.length !== this.dims)
      throw new UsageError(`feature rows must all have ${this.dims} dimensions, got ${vector.length}`, { file: this.file });
    this.ids.push(subjectId);
    this.times.push(predictionTime);
    this.vecs.push(vector);
    if (this.ids.length >= this.partRows) this.flush();
  }

  private flush(): void {
    const n = this.ids.length;
    if (n === 0) return;
    const d = this.dims as number;
    const columns = Array.from({ length: d }, (_, j) => {
      const col = new Float32Array(n);
      for (let i = 0; i < n; i++) col[i] = (this.vecs[i] as Float32Array)[j] as number;
      return { name: `e${j}`, data: col, type: 'FLOAT' as const, nullable: false, encoding: 'PLAIN' as const };
    });
    const part = join(this.tmp, `${this.parts.length}.parquet`);
    parquetWriteFile({
      filename: part,
      columnData: [
        { name: 'subject_id', data: BigInt64Array.from(this.ids, (x) => BigInt(x)), type: 'INT64', nullable: false },
        { name: 't', data: BigInt64Array.from(this.times, (t) => BigInt(Math.round(t * 1000))), type: 'INT64', nullable: false },
        { name: 'row', data: Int32Array.from({ length: n }, (_, i) => i), type: 'INT32', nullable: false },
        ...columns,
      ],
      codec: 'UNCOMPRESSED',
      statistics: false,
    });
    this.parts.push(part);
    this.ids = [];
    this.times = [];
    this.vecs = [];
  }

  /** Write the parquet file; returns the number of rows. */
  async finish(): Promise<number> {
    this.flush();
    mkdirSync(dirname(this.file), { recursive: true });
    const duck = await openDuck('2GB');
    const partial = `${this.file}.partial`;
    try {
      const c = duck.connection;
      if (this.parts.length === 0) {
        await c.run(
          `COPY (SELECT NULL::BIGINT AS subject_id, NULL::TIMESTAMP AS prediction_time, NULL::FLOAT[] AS embedding LIMIT 0) TO ${sqlString(partial)} (FORMAT parquet)`,
        );
      } else {
        const list = Array.from({ length: this.dims as number }, (_, j) => `e${j}`).join(', ');
        const files = `[${this.parts.map(sqlString).join(', ')}]`;
        // No ORDER BY: a scan of the parts in list order keeps their rows in order
        // (preserve_insertion_order), and sorting 120k 4,096-d rows ran DuckDB out of memory
        // ("failed to pin block") at study scale. One thread keeps the copy a plain stream, and
        // row groups of about 64 MB (DuckDB buffers a whole row group before writing it; its
        // default of 122,880 rows is 2 GB at 4,096 dims) keep its memory flat.
        await c.run('SET threads = 1');
        const rowGroup = Math.max(256, Math.min(122_880, Math.floor(2 ** 26 / (4 * Math.max(1, this.dims as number)))));
        await c.run(
          `COPY (SELECT subject_id, make_timestamp(t) AS prediction_time, [${list}]::FLOAT[] AS embedding
             FROM read_parquet(${files}))
           TO ${sqlString(partial)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${rowGroup})`,
        );
      }
      renameSync(partial, this.file);
      const rows = (await c.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(this.file)})`)).getRowObjectsJS()[0]
        ?.n as number;
      return rows;
    } catch (err) {
      throw new UsageError(`writing feature file failed: ${duckMessage(err)}`, { file: this.file }, { cause: err });
    } finally {
      duck.close();
      rmSync(this.tmp, { recursive: true, force: true });
    }
  }
}

/**
 * Read a feature file (any parquet with `subject_id`, `prediction_time` and a float list column,
 * by default `embedding`). Rows keep file order.
 */
export async function readFeatureFile(file: string, column = 'embedding'): Promise<FeatureMatrix> {
  return readFeatureRows(basename(file, '.parquet'), [file], column);
}

/** A part file name taken apart: `<task>.part-<index>-of-<count>.parquet`. */
export interface FeaturePart {
  readonly task: string;
  readonly index: number;
  readonly count: number;
  readonly file: string;
}

const PART_RE = /^(.+)\.part-(\d+)-of-(\d+)\.parquet$/;

/** The part files of a features directory (written by `embed --shard`), by task. */
export function listFeatureParts(dir: string): Map<string, FeaturePart[]> {
  const out = new Map<string, FeaturePart[]>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const m = PART_RE.exec(name);
    if (!m) continue;
    const part: FeaturePart = { task: m[1] as string, index: Number(m[2]), count: Number(m[3]), file: join(dir, name) };
    const list = out.get(part.task) ?? [];
    list.push(part);
    out.set(part.task, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.index - b.index);
  return out;
}

/**
 * The file(s) holding a task's features in `dir`: `<task>.parquet`, or the complete set of parts
 * `<task>.part-0-of-<n>.parquet` .. `<task>.part-<n-1>-of-<n>.parquet` in shard order; undefined
 * when there is neither.
 *
 * @throws UsageError when parts are missing, parts of different shard counts are mixed, or both
 *   the single file and parts are present (which one is current cannot be told)
 */
export function taskFeatureFiles(dir: string, task: string): string[] | undefined {
  const single = join(dir, `${task}.parquet`);
  const parts = listFeatureParts(dir).get(task) ?? [];
  if (parts.length === 0) return existsSync(single) ? [single] : undefined;
  if (existsSync(single)) {
    throw new UsageError(
      `both ${task}.parquet and ${parts.length} part file(s) ${basename((parts[0] as FeaturePart).file)}... are present: remove the parts or the single file (\`ehr-embed merge-features\` removes the parts it merged)`,
      { file: dir },
    );
  }
  const counts = [...new Set(parts.map((p) => p.count))];
  if (counts.length > 1)
    throw new UsageError(`task "${task}" has parts of different shard counts (${counts.join(', ')}): remove the parts of the older run`, {
      file: dir,
    });
  const n = counts[0] as number;
  const have = new Set(parts.map((p) => p.index));
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !have.has(i));
  if (missing.length > 0) {
    throw new UsageError(
      `task "${task}" is missing ${missing.length} of ${n} parts (${missing
        .slice(0, 5)
        .map((i) => `${task}.part-${i}-of-${n}.parquet`)
        .join(', ')}${missing.length > 5 ? ', ...' : ''}): has every shard finished?`,
      { file: dir },
    );
  }
  return parts.map((p) => p.file);
}

/**
 * Read a task's features from a features directory, whether written by one process
 * (`<task>.parquet`) or by shards (all parts, concatenated in shard order).
 *
 * @throws UsageError when there are no features for the task, or an incomplete set of parts
 */
export async function readTaskFeatures(dir: string, task: string, column = 'embedding'): Promise<FeatureMatrix> {
  return readFeatureRows(task, requireTaskFeatureFiles(dir, task), column);
}

/** Feature files read in file order into a new buffer (part files concatenated in shard order). */
async function readFeatureRows(task: string, files: readonly string[], column: string): Promise<FeatureMatrix> {
  let data = new Float32Array(0);
  const keys = await readFilesInto(
    task,
    files,
    (k) => {
      data = new Float32Array(k.subjectIds.length * k.dims);
      return { data, destinations: (row) => [row] };
    },
    column,
  );
  return { subjectIds: keys.subjectIds, predictionTimes: keys.predictionTimes, dims: keys.dims, data };
}

/** The feature files of a task, or a UsageError saying what was expected and how to make them. */
function requireTaskFeatureFiles(dir: string, task: string): string[] {
  const files = taskFeatureFiles(dir, task);
  if (files === undefined)
    throw new UsageError(
      `no features for task "${task}" (expected ${task}.parquet or ${task}.part-<i>-of-<n>.parquet; run \`ehr-embed embed\` for this task)`,
      { file: dir },
    );
  return files;
}

/** What {@link mergeFeatureParts} did for one task. */
export interface MergedTask {
  readonly task: string;
  readonly parts: number;
  readonly rows: number;
  readonly file: string;
}

/**
 * Merge every task's complete set of parts in `dir` into `<task>.parquet`, rows ordered by
 * (subject_id, prediction_time) and, for equal keys, by shard and row: the order of a
 * single-process run over a label file sorted that way (as `ehr-embed label` writes them), so
 * the merged file equals the single run's row for row. The float32 vectors are copied
 * unchanged. Each single file is written atomically before its parts are removed, so an
 * interrupted merge can be run again. Returns an empty list when there are no parts.
 */
export async function mergeFeatureParts(dir: string): Promise<MergedTask[]> {
  const byTask = listFeatureParts(dir);
  if (byTask.size === 0) return [];
  const plan = [...byTask.keys()].sort().map((task) => ({ task, files: taskFeatureFiles(dir, task) as string[] }));
  const out: MergedTask[] = [];
  const duck = await openDuck('2GB');
  try {
    const c = duck.connection;
    for (const { task, files } of plan) {
      const file = join(dir, `${task}.parquet`);
      const partial = `${file}.partial`;
      const list = `[${files.map(sqlString).join(', ')}]`;
      const order = files.map((f, i) => `WHEN ${sqlString(f)} THEN ${i}`).join(' ');
      try {
        await c.run(
          `COPY (SELECT subject_id, prediction_time, embedding
             FROM read_parquet(${list}, filename = true, file_row_number = true)
             ORDER BY subject_id, prediction_time, CASE filename ${order} END, file_row_number)
           TO ${sqlString(partial)} (FORMAT parquet, COMPRESSION zstd)`,
        );
        renameSync(partial, file);
        const rows = (await c.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(file)})`)).getRowObjectsJS()[0]
          ?.n as number;
        out.push({ task, parts: files.length, rows, file });
      } catch (err) {
        rmSync(partial, { force: true });
        throw new UsageError(`merging the parts of task "${task}" failed: ${duckMessage(err)}`, { file: dir }, { cause: err });
      }
      for (const f of files) rmSync(f, { force: true });
    }
  } finally {
    duck.close();
  }
  return out;
}

/** The row keys of a task's feature files, before any vector is read ({@link readTaskFeaturesInto}). */
export interface FeatureKeys {
  /** Subject of each feature row, in file order over all parts. */
  readonly subjectIds: Float64Array;
  /** Epoch milliseconds of each feature row. */
  readonly predictionTimes: Float64Array;
  readonly dims: number;
  /** The file(s) read, in order (parts in shard order). */
  readonly files: readonly string[];
}

/** Where {@link readTaskFeaturesInto} writes the vectors: a buffer and, per feature row, its destination rows. */
export interface FeatureTarget {
  /** Row-major buffer of `dims` float32 per row (the rows after `head`'s, when there is a head). */
  readonly data: Float32Array;
  /**
   * Rows 0 to `head.length / dims - 1`, when they live in a buffer of their own (the training rows
   * in solver memory, `probe/solverMemory.ts`); row r >= that count is row r - count of `data`.
   */
  readonly head?: Float32Array;
  /** Destination rows of feature row `row` in `data` (none: the row is not needed). */
  destinations(row: number): readonly number[];
}

/**
 * Read a task's feature vectors (single file or all shard parts) straight into a caller's buffer,
 * so an evaluation holds one float32 copy of its features and no intermediate matrix: the row
 * keys are read first, `target` allocates the buffer and maps every feature row to the rows it
 * fills (none, one, or several), then the vectors stream from DuckDB chunk by chunk into place.
 * Checks as {@link readFeatureFile}: null vectors, unequal lengths, non-finite values (the error
 * names the file, row and dimension).
 *
 * @throws UsageError when there are no features for the task or its files are unreadable
 */
export async function readTaskFeaturesInto(
  dir: string,
  task: string,
  target: (keys: FeatureKeys) => FeatureTarget,
  column = 'embedding',
): Promise<FeatureKeys> {
  return readFilesInto(task, requireTaskFeatureFiles(dir, task), target, column);
}

/** {@link readTaskFeaturesInto} over a list of files (one task's file or its parts, in order). */
async function readFilesInto(
  task: string,
  files: readonly string[],
  target: (keys: FeatureKeys) => FeatureTarget,
  column: string,
): Promise<FeatureKeys> {
  const duck = await openDuck('1GB');
  try {
    const c = duck.connection;
    const metas: { file: string; n: number; dims: number }[] = [];
    for (const file of files) {
      let meta;
      try {
        meta = (
          await c.runAndReadAll(`SELECT count(*)::DOUBLE AS n, max(len(${column}))::DOUBLE AS dmax, min(len(${column}))::DOUBLE AS dmin,
            count(*) FILTER (WHERE ${column} IS NULL)::DOUBLE AS nulls FROM read_parquet(${sqlString(file)})`)
        ).getRowObjectsJS()[0];
      } catch (err) {
        throw new UsageError(
          `cannot read feature file (expected subject_id, prediction_time and a float list column "${column}"): ${duckMessage(err)}`,
          { file },
          { cause: err },
        );
      }
      const n = (meta?.n as number) ?? 0;
      const dims = (meta?.dmax as number | null) ?? 0;
      if (n > 0 && (meta?.nulls as number) > 0)
        throw new UsageError(`${meta?.nulls} row(s) have a null "${column}"`, { file, field: column });
      if (n > 0 && meta?.dmin !== dims)
        throw new UsageError(`rows of "${column}" have different lengths (${meta?.dmin} to ${dims})`, { file, field: column });
      metas.push({ file, n, dims });
    }
    const nonEmpty = metas.filter((m) => m.n > 0);
    const dims = nonEmpty[0]?.dims ?? 0;
    for (const m of nonEmpty)
      if (m.dims !== dims) throw new UsageError(`part files of task "${task}" have ${dims} and ${m.dims} dimensions`, { file: m.file });
    const total = metas.reduce((a, m) => a + m.n, 0);
    const subjectIds = new Float64Array(total);
    const predictionTimes = new Float64Array(total);
    let r = 0;
    for (const { file } of metas) {
      const head = await c.stream(
        `SELECT subject_id::DOUBLE, epoch_us(prediction_time::TIMESTAMP) / 1000.0 FROM read_parquet(${sqlString(file)})`,
      );
      for (;;) {
        const ch = await head.fetchChunk();
        if (!ch || ch.rowCount === 0) break;
        const ids = ch.getColumnVector(0);
        const times = ch.getColumnVector(1);
        for (let i = 0; i < ch.rowCount; i++, r++) {
          subjectIds[r] = ids.getItem(i) as number;
          predictionTimes[r] = times.getItem(i) as number;
        }
      }
    }
    const keys: FeatureKeys = { subjectIds, predictionTimes, dims, files };
    const { data, destinations, head } = target(keys);
    const headRows = head && dims > 0 ? head.length / dims : 0;
    let base = 0;
    for (const { file, n } of metas) {
      if (n === 0) continue;
      // Plain scans keep insertion order, so the unnested values arrive row by row; each chunk
      // is copied segment by segment (a row may span two chunks) to the rows that need it.
      let k = 0;
      const body = await c.stream(`SELECT unnest(${column})::FLOAT FROM read_parquet(${sqlString(file)})`);
      for (;;) {
        const ch = await body.fetchChunk();
        if (!ch || ch.rowCount === 0) break;
        const values = float32Items(ch.getColumnVector(0), ch.rowCount);
        for (let i = 0; i < values.length; i++) {
          if (!Number.isFinite(values[i])) {
            const at = k + i;
            throw new UsageError(`non-finite value in "${column}" at row ${Math.floor(at / dims) + 1}, dimension ${(at % dims) + 1}`, {
              file,
              record: Math.floor(at / dims) + 1,
              field: column,
            });
          }
        }
        let pos = 0;
        while (pos < values.length) {
          const row = Math.floor((k + pos) / dims);
          const col = (k + pos) % dims;
          const len = Math.min(dims - col, values.length - pos);
          const seg = values.subarray(pos, pos + len);
          for (const dest of destinations(base + row)) {
            if (dest < headRows) (head as Float32Array).set(seg, dest * dims + col);
            else data.set(seg, (dest - headRows) * dims + col);
          }
          pos += len;
        }
        k += values.length;
      }
      base += n;
    }
    return keys;
  } finally {
    duck.close();
  }
}

/**
 * Rows and dimensions of a task's features without reading the vectors (row counts from the
 * parquet footers, dimensions from the first row): what a memory estimate needs.
 *
 * @throws UsageError when there are no features for the task or a file is unreadable
 */
export async function taskFeatureShape(dir: string, task: string, column = 'embedding'): Promise<{ rows: number; dims: number }> {
  const files = requireTaskFeatureFiles(dir, task);
  const duck = await openDuck('256MB');
  try {
    let rows = 0;
    let dims = 0;
    for (const file of files) {
      try {
        const c = duck.connection;
        rows += (await c.runAndReadAll(`SELECT count(*)::DOUBLE AS n FROM read_parquet(${sqlString(file)})`)).getRowObjectsJS()[0]
          ?.n as number;
        const first = (
          await c.runAndReadAll(`SELECT len(${column})::DOUBLE AS d FROM read_parquet(${sqlString(file)}) LIMIT 1`)
        ).getRowObjectsJS()[0];
        if (first) dims = Math.max(dims, (first.d as number | null) ?? 0);
      } catch (err) {
        throw new UsageError(
          `cannot read feature file (expected subject_id, prediction_time and a float list column "${column}"): ${duckMessage(err)}`,
          { file },
          { cause: err },
        );
      }
    }
    return { rows, dims };
  } finally {
    duck.close();
  }
}
