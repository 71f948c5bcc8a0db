/**
 * Read a MEDS dataset directory: sharded `data/**\/*.parquet`, `metadata/codes.parquet`,
 * `metadata/subject_splits.parquet`, `metadata/dataset.json` (MEDS 0.3 and 0.4 column sets).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { DuckDBDataChunk } from '@duckdb/node-api';
import { UsageError } from '../errors.ts';
import { jsonErrorReason } from '../jsonErrorReason.ts';
import type { CodeMetadata, DatasetMetadata, Event, ExtraColumn, ExtraValue, Split, Subject } from '../types.ts';
import { columnTypeOf, extraSelectExpr, REQUIRED_COLUMNS, STANDARD_COLUMNS } from './columns.ts';
import { duckMessage, openDuck, sqlFileList, sqlString, type Duck } from './duckdb.ts';
import { listParquetFiles } from './listParquetFiles.ts';
import { readCodes } from './readCodes.ts';
import { readSubjectIds, readSubjectSplits } from './readSubjectSplits.ts';
import { floatItems, intItems, validityBytes } from './vectorViews.ts';

/** Where one subject's rows are: which shard, and their row range in it. */
interface SubjectLocation {
  readonly file: number;
  readonly firstRow: number;
  readonly rowCount: number;
}

/** Per-shard facts gathered once when the dataset is opened. */
export interface ShardInfo {
  /** Absolute path of the parquet file. */
  readonly path: string;
  /** Path relative to the dataset directory (as MEDS tools name shards). */
  readonly name: string;
  readonly rows: number;
  readonly subjects: number;
  /** Column name → DuckDB type, as stored. */
  readonly columns: ReadonlyMap<string, string>;
}

/** Options of {@link openMedsDataset}. */
export interface OpenMedsOptions {
  /** DuckDB memory limit (default `'1GB'`). */
  readonly memoryLimit?: string;
}

const SAFE_ID = Number.MAX_SAFE_INTEGER;

/**
 * Open a MEDS dataset directory and index it (one pass over `subject_id`).
 * Throws {@link UsageError} naming the file for a missing directory, no shards, a missing
 * required column, a null `subject_id`/`code`, or a corrupt parquet file.
 */
export async function openMedsDataset(dir: string, options: OpenMedsOptions = {}): Promise<MedsDataset> {
  const root = resolve(dir);
  if (!existsSync(root)) throw new UsageError('MEDS dataset directory does not exist', { file: dir });
  if (!statSync(root).isDirectory()) throw new UsageError('expected a MEDS dataset directory, found a file', { file: dir });
  const dataDir = join(root, 'data');
  const files = existsSync(dataDir) ? listParquetFiles(dataDir) : [];
  if (files.length === 0) {
    throw new UsageError('no parquet shards found: a MEDS dataset keeps its events in data/**/*.parquet', {
      file: existsSync(dataDir) ? dataDir : dir,
    });
  }
  const duck = await openDuck(options.memoryLimit);
  try {
    const ds = new MedsDataset(root, files, duck);
    await ds.init();
    return ds;
  } catch (err) {
    duck.close();
    throw err;
  }
}

/** Bounds of {@link MedsDataset.countNumericValues}; null: unbounded on that side. */
export interface NumericBounds {
  readonly min: number | null;
  readonly minInclusive: boolean;
  readonly max: number | null;
  readonly maxInclusive: boolean;
}

/**
 * An open MEDS dataset. Stream subjects with {@link MedsDataset.subjects}, fetch one with
 * {@link MedsDataset.getSubject}; call {@link MedsDataset.close} when done.
 */
export class MedsDataset {
  readonly dir: string;
  private readonly shardList: ShardInfo[] = [];
  private readonly extraColumnList: ExtraColumn[] = [];
  private metadataValue: DatasetMetadata = { raw: {} };
  private codeMap: ReadonlyMap<string, CodeMetadata> = new Map();
  private splitMap: ReadonlyMap<number, Split | string> = new Map();
  private sourceIdMap: ReadonlyMap<number, string> = new Map();

  /** The data shards in file order, with their columns, rows and subjects. */
  get shards(): readonly ShardInfo[] {
    return this.shardList;
  }
  /** Extra (non-standard) columns present in any shard, with the type we read them as. */
  get extraColumns(): readonly ExtraColumn[] {
    return this.extraColumnList;
  }
  /** Contents of metadata/dataset.json (empty `raw` when absent). */
  get metadata(): DatasetMetadata {
    return this.metadataValue;
  }
  /** Contents of metadata/codes.parquet, by code (empty when absent). */
  get codes(): ReadonlyMap<string, CodeMetadata> {
    return this.codeMap;
  }
  /** Contents of metadata/subject_splits.parquet (empty when absent). */
  get splits(): ReadonlyMap<number, Split | string> {
    return this.splitMap;
  }
  /** Source identifiers from metadata/subject_ids.parquet, MEDS id → source id (empty when absent). */
  get sourceIds(): ReadonlyMap<number, string> {
    return this.sourceIdMap;
  }

  private readonly files: string[];
  private codeCountsMemo: Promise<ReadonlyMap<string, number>> | undefined;
  private readonly duck: Duck;
  private readonly index = new Map<number, SubjectLocation[]>();
  /** Subject ids in stream order. */
  private order: number[] = [];
  /** True when every subject's rows are contiguous in one shard: stream in file order. */
  private contiguous = true;
  private codeDict: string[] = [];
  private enumName = '';
  private extraTypes = new Map<string, string>();
  private closed = false;

  /** @internal use {@link openMedsDataset}. */
  constructor(dir: string, files: string[], duck: Duck) {
    this.dir = dir;
    this.files = files;
    this.duck = duck;
  }

  /** Number of subjects. */
  get subjectCount(): number {
    return this.order.length;
  }

  /** Number of events (rows) over all shards. */
  get eventCount(): number {
    return this.shards.reduce((n, s) => n + s.rows, 0);
  }

  /** All subject ids, in the order {@link subjects} yields them. */
  subjectIds(): readonly number[] {
    return this.order;
  }

  /** @internal */
  async init(): Promise<void> {
    const c = this.duck.connection;
    for (const file of this.files) {
      let rows;
      try {
        rows = (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`)).getRowObjectsJS();
      } catch (err) {
        throw new UsageError(
          `cannot read parquet file (corrupt or not parquet): ${duckMessage(err)}`,
          { file: this.rel(file) },
          { cause: err },
        );
      }
      const columns = new Map(rows.map((r) => [String(r.column_name), String(r.column_type)]));
      for (const col of REQUIRED_COLUMNS) {
        if (!columns.has(col)) {
          throw new UsageError(`missing required MEDS column "${col}" (found: ${[...columns.keys()].join(', ')})`, {
            file: this.rel(file),
            field: col,
          });
        }
      }
      const idType = columns.get('subject_id') ?? '';
      if (!/INT/.test(idType))
        throw new UsageError(`column "subject_id" must be an integer, found ${idType}`, { file: this.rel(file), field: 'subject_id' });
      const timeType = columns.get('time');
      if (timeType !== undefined && !/^(TIMESTAMP|DATE)/.test(timeType)) {
        throw new UsageError(`column "time" must be a timestamp, found ${timeType}`, { file: this.rel(file), field: 'time' });
      }
      for (const [name, type] of columns) {
        if ((STANDARD_COLUMNS as readonly string[]).includes(name)) continue;
        const prev = this.extraTypes.get(name);
        if (prev === undefined) {
          this.extraTypes.set(name, type);
          this.extraColumnList.push({ name, type: columnTypeOf(type) });
        }
      }
      this.shardList.push({ path: file, name: this.rel(file), rows: 0, subjects: 0, columns });
    }
    await this.buildIndex();
    await this.buildCodeEnum();
    this.readMetadata();
    await this.loadMetadataFiles();
  }

  /** One pass over subject_id: row ranges per subject and shard, null checks, id range. */
  private async buildIndex(): Promise<void> {
    const c = this.duck.connection;
    const sql = `SELECT filename, subject_id::DOUBLE AS sid, min(file_row_number)::DOUBLE AS first, max(file_row_number)::DOUBLE AS last,
        count(*)::DOUBLE AS n, count(*) FILTER (WHERE code IS NULL)::DOUBLE AS null_codes, max(abs(subject_id))::DOUBLE AS maxabs
      FROM read_parquet(${sqlFileList(this.files)}, filename = true, file_row_number = true, union_by_name = true)
      GROUP BY filename, subject_id`;
    let rows;
    try {
      rows = (await c.runAndReadAll(sql)).getRowObjectsJS();
    } catch (err) {
      throw new UsageError(`cannot read MEDS shards: ${duckMessage(err)}`, { file: join(this.dir, 'data') }, { cause: err });
    }
    const fileIdx = new Map(this.files.map((f, i) => [f, i]));
    const perFile = this.files.map(() => ({ rows: 0, subjects: 0 }));
    const firstSeen: { sid: number; file: number; first: number }[] = [];
    for (const r of rows) {
      const file = fileIdx.get(String(r.filename)) ?? -1;
      const sid = r.sid as number | null;
      const n = r.n as number;
      const shard = this.files[file] ?? String(r.filename);
      if (sid === null)
        throw new UsageError(`${n} row(s) have a null subject_id; every MEDS event needs one`, {
          file: this.rel(shard),
          field: 'subject_id',
        });
      if ((r.maxabs as number) > SAFE_ID)
        throw new UsageError(`subject_id ${sid} is beyond 2^53 and cannot be represented exactly`, {
          file: this.rel(shard),
          field: 'subject_id',
        });
      if ((r.null_codes as number) > 0) {
        throw new UsageError(`${r.null_codes} row(s) of subject ${sid} have a null code; every MEDS event needs one`, {
          file: this.rel(shard),
          field: 'code',
        });
      }
      const first = r.first as number;
      if ((r.last as number) - first + 1 !== n) this.contiguous = false;
      const stats = perFile[file];
      if (stats) {
        stats.rows += n;
        stats.subjects += 1;
      }
      const locs = this.index.get(sid);
      if (locs) {
        this.contiguous = false;
        locs.push({ file, firstRow: first, rowCount: n });
      } else {
        this.index.set(sid, [{ file, firstRow: first, rowCount: n }]);
        firstSeen.push({ sid, file, first });
      }
    }
    this.shardList.forEach((s, i) => Object.assign(s, perFile[i]));
    if (this.contiguous) {
      // File order: shards sorted by path, subjects by their first row: the order a plain scan yields.
      firstSeen.sort((a, b) => a.file - b.file || a.first - b.first);
      this.order = firstSeen.map((x) => x.sid);
    } else {
      this.order = firstSeen.map((x) => x.sid).sort((a, b) => a - b);
    }
  }

  /**
   * Codes travel from DuckDB to JS as small integers into a dictionary (an ENUM type): decoding
   * a string per row costs several times more than the whole parquet scan.
   */
  private async buildCodeEnum(): Promise<void> {
    const c = this.duck.connection;
    this.enumName = `meds_code_${process.pid}_${Date.now()}`;
    await c.run(
      `CREATE TYPE ${this.enumName} AS ENUM (SELECT DISTINCT code::VARCHAR FROM read_parquet(${sqlFileList(this.files)}, union_by_name = true) WHERE code IS NOT NULL ORDER BY 1)`,
    );
    const dict = (await c.runAndReadAll(`SELECT unnest(enum_range(NULL::${this.enumName})) AS v`)).getColumnsJS()[0] ?? [];
    this.codeDict = dict.map(String);
  }

  private readMetadata(): void {
    const meta = join(this.dir, 'metadata');
    const dsJson = join(meta, 'dataset.json');
    if (existsSync(dsJson)) {
      let raw: Record<string, unknown>;
      try {
        raw = JSON.parse(readFileSync(dsJson, 'utf8')) as Record<string, unknown>;
      } catch (err) {
        throw new UsageError(jsonErrorReason(err), { file: this.rel(dsJson) });
      }
      const s = (k: string): string | undefined => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined);
      this.metadataValue = {
        datasetName: s('dataset_name'),
        datasetVersion: s('dataset_version'),
        etlName: s('etl_name'),
        etlVersion: s('etl_version'),
        medsVersion: s('meds_version'),
        createdAt: s('created_at'),
        raw,
      };
    }
  }

  private async loadMetadataFiles(): Promise<void> {
    const meta = join(this.dir, 'metadata');
    this.codeMap = await readCodes(this.duck.connection, join(meta, 'codes.parquet'), this.dir);
    this.splitMap = await readSubjectSplits(this.duck.connection, join(meta, 'subject_splits.parquet'), this.dir);
    this.sourceIdMap = await readSubjectIds(this.duck.connection, join(meta, 'subject_ids.parquet'), this.dir);
  }

  /** The description of a code from codes.parquet, or null. */
  describe(code: string): string | null {
    return this.codes.get(code)?.description ?? null;
  }

  /**
   * Resolve a subject given as a MEDS id or a source id (metadata/subject_ids.parquet).
   * Throws {@link UsageError} when unknown.
   */
  resolveSubjectId(idOrSource: string | number): number {
    const asNum = typeof idOrSource === 'number' ? idOrSource : /^-?\d+$/.test(idOrSource.trim()) ? Number(idOrSource) : NaN;
    if (!Number.isNaN(asNum) && this.index.has(asNum)) return asNum;
    const key = String(idOrSource);
    for (const [sid, src] of this.sourceIds) if (src === key) return sid;
    // Name a few real ids so the user can start from one (`ehr-embed stats` lists more).
    const examples = this.order.slice(0, 3).join(', ');
    throw new UsageError(
      `unknown subject "${key}": not a subject_id of this dataset nor a source id in metadata/subject_ids.parquet (${this.subjectCount} subjects${examples ? `, e.g. ${examples}` : ''}; \`ehr-embed stats\` lists examples with their time ranges)`,
      { file: this.dir },
    );
  }

  /** True when the dataset has this MEDS subject id. */
  hasSubject(subjectId: number): boolean {
    return this.index.has(subjectId);
  }

  /** The split of a subject from subject_splits.parquet, or undefined when absent. */
  splitOf(subjectId: number): Split | string | undefined {
    return this.splits.get(subjectId);
  }

  /** The shards a subject's rows live in (usually one). */
  locate(subjectId: number): readonly { shard: ShardInfo; firstRow: number; rowCount: number }[] {
    return (this.index.get(subjectId) ?? []).map((l) => ({
      shard: this.shards[l.file] as ShardInfo,
      firstRow: l.firstRow,
      rowCount: l.rowCount,
    }));
  }

  /** SQL select list: standard columns as numbers/enum codes, then the extras. */
  private selectList(shardColumns?: ReadonlyMap<string, string>): string {
    const has = (c: string): boolean => (shardColumns ? shardColumns.has(c) : true);
    const cols = [
      'subject_id::DOUBLE',
      has('time') ? `coalesce(epoch_us(time::TIMESTAMP) / 1000.0, 'NaN'::DOUBLE)` : `'NaN'::DOUBLE`,
      `coalesce(enum_code(code::VARCHAR::${this.enumName})::INTEGER, -1)`,
      has('numeric_value') ? `coalesce(numeric_value::DOUBLE, 'NaN'::DOUBLE)` : `'NaN'::DOUBLE`,
      has('text_value') ? 'text_value::VARCHAR' : 'NULL::VARCHAR',
    ];
    for (const col of this.extraColumns) {
      cols.push(has(col.name) ? extraSelectExpr(col, this.extraTypes.get(col.name) ?? 'VARCHAR') : 'NULL');
    }
    return cols.join(', ');
  }

  /**
   * Stream every subject, one at a time, events ordered by time with static events first (ties
   * keep file order). Memory is bounded by the largest subject plus one DuckDB chunk.
   */
  async *subjects(): AsyncGenerator<Subject> {
    this.assertOpen();
    const queries: string[] = this.contiguous
      ? this.shards.map((s) => `SELECT ${this.selectList(s.columns)} FROM read_parquet(${sqlString(s.path)})`)
      : [
          `SELECT ${this.selectList()} FROM read_parquet(${sqlFileList(this.files)}, filename = true, file_row_number = true, union_by_name = true)
           ORDER BY subject_id, filename, file_row_number`,
        ];
    let current: Event[] = [];
    let currentId = NaN;
    const connection = await this.duck.connect();
    try {
      for (const sql of queries) {
        const result = await connection.stream(sql);
        for (;;) {
          const chunk = await result.fetchChunk();
          if (!chunk || chunk.rowCount === 0) break;
          const events = this.chunkEvents(chunk);
          for (const ev of events) {
            if (ev.subjectId !== currentId) {
              if (current.length > 0) yield { subjectId: currentId, events: sortEvents(current) };
              current = [];
              currentId = ev.subjectId;
            }
            current.push(ev);
          }
        }
      }
      if (current.length > 0) yield { subjectId: currentId, events: sortEvents(current) };
    } finally {
      // Runs also when the consumer stops early (break): the connection is not left streaming.
      connection.closeSync();
    }
  }

  /** Fetch one subject by MEDS id; throws {@link UsageError} when unknown. */
  async getSubject(subjectId: number): Promise<Subject> {
    this.assertOpen();
    const locs = this.index.get(subjectId);
    if (!locs) return this.getSubject(this.resolveSubjectId(subjectId));
    const events: Event[] = [];
    for (const loc of locs) {
      const shard = this.shards[loc.file] as ShardInfo;
      // Row-group statistics on subject_id let DuckDB skip most of a sorted shard.
      const sql = `SELECT ${this.selectList(shard.columns)} FROM read_parquet(${sqlString(shard.path)}, file_row_number = true)
        WHERE subject_id = ${subjectId} ORDER BY file_row_number`;
      const result = await this.duck.connection.stream(sql);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        for (const ev of this.chunkEvents(chunk)) events.push(ev);
      }
    }
    return { subjectId, events: sortEvents(events) };
  }

  /**
   * Events per code over every shard (one scan, then remembered for the life of this object):
   * the codes the data really has, which codes.parquet need not list completely.
   */
  async codeCounts(): Promise<ReadonlyMap<string, number>> {
    this.codeCountsMemo ??= this.query(
      `SELECT code::VARCHAR AS code, count(*)::DOUBLE AS n FROM ${this.dataRelation} WHERE code IS NOT NULL GROUP BY 1`,
    ).then((rows) => new Map(rows.map((r) => [String(r.code), Number(r.n)])));
    return this.codeCountsMemo;
  }

  /** The distinct codes of the data in JavaScript's string order (from {@link codeCounts}). */
  async distinctCodes(): Promise<string[]> {
    return [...(await this.codeCounts()).keys()].sort();
  }

  /**
   * Events of `codes` whose numeric value is within bounds (NaN and null values never count),
   * over every shard in one scan. The value is compared as FLOAT, the MEDS column's type, as
   * ACES (polars) does.
   */
  async countNumericValues(codes: readonly string[], bounds: NumericBounds): Promise<number> {
    if (codes.length === 0) return 0;
    const conds = [`code::VARCHAR IN (${codes.map(sqlString).join(', ')})`, 'numeric_value IS NOT NULL', 'NOT isnan(numeric_value)'];
    const bound = (v: number): string => {
      if (!Number.isFinite(v)) throw new UsageError(`a numeric bound must be a finite number, got ${v}`);
      return `CAST(${v} AS FLOAT)`;
    };
    if (bounds.min !== null) conds.push(`numeric_value ${bounds.minInclusive ? '>=' : '>'} ${bound(bounds.min)}`);
    if (bounds.max !== null) conds.push(`numeric_value ${bounds.maxInclusive ? '<=' : '<'} ${bound(bounds.max)}`);
    const rows = await this.query(`SELECT count(*)::BIGINT AS n FROM ${this.dataRelation} WHERE ${conds.join(' AND ')}`);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Run a read-only SQL query against this dataset's engine. @internal for src/meds only (stats,
   * demographics); elsewhere use a named method (test/architecture checks it).
   */
  async query(sql: string): Promise<Record<string, unknown>[]> {
    this.assertOpen();
    return (await this.duck.connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  }

  /** SQL table expression over all shards, for stats and demographics. @internal for src/meds only. */
  get dataRelation(): string {
    return `read_parquet(${sqlFileList(this.files)}, union_by_name = true)`;
  }

  /** Release the engine. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.duck.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new UsageError('the MEDS dataset was closed', { file: this.dir });
  }

  private rel(file: string): string {
    return relative(process.cwd(), file) || file;
  }

  /** Convert one DuckDB chunk to events: typed-array reads for the numeric columns. */
  private chunkEvents(chunk: DuckDBDataChunk): Event[] {
    const n = chunk.rowCount;
    const sid = floatItems(chunk.getColumnVector(0));
    const time = floatItems(chunk.getColumnVector(1));
    const code = intItems(chunk.getColumnVector(2));
    const num = floatItems(chunk.getColumnVector(3));
    const textVec = chunk.getColumnVector(4);
    const textValid = validityBytes(textVec);
    const extras = this.extraColumns.map((c, i) => {
      const vec = chunk.getColumnVector(5 + i);
      return { name: c.name, vec, valid: validityBytes(vec) };
    });
    const dict = this.codeDict;
    const out: Event[] = new Array<Event>(n);
    for (let i = 0; i < n; i++) {
      const t = time[i] as number;
      const v = num[i] as number;
      const c = dict[code[i] as number];
      if (c === undefined) throw new UsageError(`row with a null code for subject ${sid[i]}`, { file: this.dir, field: 'code' });
      let extra: Record<string, ExtraValue> | undefined;
      for (const x of extras) {
        if (x.valid !== null && ((x.valid[i >> 3] as number) & (1 << (i & 7))) === 0) continue;
        const val = x.vec.getItem(i);
        if (val !== null && val !== undefined) {
          extra ??= {};
          // A column named `__proto__` must become a property, not the object's prototype.
          if (x.name === '__proto__')
            Object.defineProperty(extra, x.name, { value: val, enumerable: true, writable: true, configurable: true });
          else extra[x.name] = val as ExtraValue;
        }
      }
      const ev: Event = {
        subjectId: sid[i] as number,
        time: t !== t ? null : t, // NaN marks null: see selectList
        code: c,
        numericValue: v !== v ? null : v,
        textValue:
          textValid !== null && ((textValid[i >> 3] as number) & (1 << (i & 7))) === 0 ? null : (textVec.getItem(i) as string | null),
        ...(extra ? { extra } : {}),
      };
      out[i] = ev;
    }
    return out;
  }
}

/**
 * Stable sort by time, static (null) first; skipped when already ordered, which MEDS shards
 * usually are.
 */
export function sortEvents(events: Event[]): Event[] {
  let sorted = true;
  for (let i = 1; i < events.length; i++) {
    if (compareTime((events[i - 1] as Event).time, (events[i] as Event).time) > 0) {
      sorted = false;
      break;
    }
  }
  if (!sorted) events.sort((a, b) => compareTime(a.time, b.time));
  return events;
}

function compareTime(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a - b;
}
