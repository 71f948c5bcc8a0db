/**
 * Feature files: one parquet per task with `subject_id` int64, `prediction_time` timestamp[us]
 * and `embedding` list<float32>, which pandas, polars and DuckDB read directly.
 *
 * Writing list columns row by row is slow in every JS route (and DuckDB's appender leaks memory
 * on FLOAT[] rows), so rows are buffered into parts of `partRows` written as wide float32 columns
 * (fast, typed arrays) and DuckDB assembles the list column once at the end.
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { UsageError } from '../errors.ts';
import { duckMessage, openDuck, sqlString } from './duckdb.ts';

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
    if (vector.length !== this.dims) throw new UsageError(`feature rows must all have ${this.dims} dimensions, got ${vector.length}`, { file: this.file });
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
        await c.run(`COPY (SELECT NULL::BIGINT AS subject_id, NULL::TIMESTAMP AS prediction_time, NULL::FLOAT[] AS embedding LIMIT 0) TO ${sqlString(partial)} (FORMAT parquet)`);
      } else {
        const list = Array.from({ length: this.dims as number }, (_, j) => `e${j}`).join(', ');
        const files = `[${this.parts.map(sqlString).join(', ')}]`;
        await c.run(
          `COPY (SELECT subject_id, make_timestamp(t) AS prediction_time, [${list}]::FLOAT[] AS embedding
             FROM read_parquet(${files}, filename = true) ORDER BY filename, "row")
           TO ${sqlString(partial)} (FORMAT parquet, COMPRESSION zstd)`,
        );
      }
      renameSync(partial, this.file);
      const rows = (await c.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(this.file)})`)).getRowObjectsJS()[0]?.n as number;
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
  const duck = await openDuck('2GB');
  try {
    const c = duck.connection;
    let meta;
    try {
      meta = (
        await c.runAndReadAll(`SELECT count(*)::DOUBLE AS n, max(len(${column}))::DOUBLE AS dmax, min(len(${column}))::DOUBLE AS dmin,
          count(*) FILTER (WHERE ${column} IS NULL)::DOUBLE AS nulls FROM read_parquet(${sqlString(file)})`)
      ).getRowObjectsJS()[0];
    } catch (err) {
      throw new UsageError(`cannot read feature file (expected subject_id, prediction_time and a float list column "${column}"): ${duckMessage(err)}`, { file }, { cause: err });
    }
    const n = (meta?.n as number) ?? 0;
    const dims = (meta?.dmax as number | null) ?? 0;
    if (n > 0 && (meta?.nulls as number) > 0) throw new UsageError(`${meta?.nulls} row(s) have a null "${column}"`, { file, field: column });
    if (n > 0 && meta?.dmin !== dims) throw new UsageError(`rows of "${column}" have different lengths (${meta?.dmin} to ${dims})`, { file, field: column });
    const subjectIds = new Float64Array(n);
    const predictionTimes = new Float64Array(n);
    const data = new Float32Array(n * dims);
    let r = 0;
    const head = await c.stream(`SELECT subject_id::DOUBLE, epoch_us(prediction_time::TIMESTAMP) / 1000.0 FROM read_parquet(${sqlString(file)})`);
    for (;;) {
      const ch = await head.fetchChunk();
      if (!ch || ch.rowCount === 0) break;
      for (let i = 0; i < ch.rowCount; i++, r++) {
        subjectIds[r] = ch.getColumnVector(0).getItem(i) as number;
        predictionTimes[r] = ch.getColumnVector(1).getItem(i) as number;
      }
    }
    // Plain scans keep insertion order, so the unnested values arrive row by row.
    let k = 0;
    const body = await c.stream(`SELECT unnest(${column})::FLOAT FROM read_parquet(${sqlString(file)})`);
    for (;;) {
      const ch = await body.fetchChunk();
      if (!ch || ch.rowCount === 0) break;
      const vec = ch.getColumnVector(0);
      const items = (vec as unknown as { items?: unknown }).items;
      if (items instanceof Float32Array) data.set(items.subarray(0, ch.rowCount), k);
      else for (let i = 0; i < ch.rowCount; i++) data[k + i] = Number(vec.getItem(i));
      k += ch.rowCount;
    }
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) throw new UsageError(`non-finite value in "${column}" at row ${Math.floor(i / dims) + 1}, dimension ${(i % dims) + 1}`, { file, record: Math.floor(i / dims) + 1, field: column });
    }
    return { subjectIds, predictionTimes, dims, data };
  } finally {
    duck.close();
  }
}
