/**
 * Write a MEDS dataset: `data/<split>/<n>.parquet` sharded by subject, `metadata/codes.parquet`,
 * `metadata/subject_splits.parquet`, `metadata/subject_ids.parquet` (when source ids are given)
 * and `metadata/dataset.json` with provenance. Output uses MEDS' standard names and types
 * (`subject_id` int64, `time` timestamp[us], `code` string, `numeric_value` float32,
 * `text_value` string), so pyarrow, polars and MEDS tools read it directly.
 *
 * Events stream to per-shard NDJSON spill files (bounded JS memory); `finish()` sorts each shard
 * by subject and time in DuckDB and writes parquet. Shards are written under a temporary name and
 * renamed, and dataset.json is written last: a directory with dataset.json is complete.
 */
import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { UsageError } from '../errors.ts';
import type { CodeMetadata, Event, ExtraColumn, Split } from '../types.ts';
import { timestampFromMicros } from './columns.ts';
import { duckMessage, openDuck, sqlIdent, sqlString } from './duckdb.ts';
import { hashSplit, type SplitFractions } from './hashSplit.ts';
import { PACKAGE_VERSION } from '../version.ts';

/** Options of {@link MedsWriter}. */
export interface MedsWriterOptions {
  /** Extra columns to write after the standard five (for example `unit` VARCHAR, `end` TIMESTAMP). */
  readonly extraColumns?: readonly ExtraColumn[];
  /** Fixed splits by subject id; subjects not listed get the seeded hash split. */
  readonly splits?: ReadonlyMap<number, Split | string>;
  /** Seed of the hash split (default 0). */
  readonly seed?: number;
  /** Fractions of the hash split (default 70/15/15 train/tuning/held_out). */
  readonly fractions?: SplitFractions;
  /** Subjects per shard within a split (default 10,000). */
  readonly subjectsPerShard?: number;
  /** dataset.json fields (MEDS `DatasetMetadata`) and provenance merged into it. */
  readonly datasetName?: string;
  readonly datasetVersion?: string;
  /** Free-form provenance (source format, input paths and checksums, command). */
  readonly provenance?: Record<string, unknown>;
  /** Replace an existing dataset directory (default false: refuse). */
  readonly overwrite?: boolean;
}

/** Counts reported by {@link MedsWriter.finish}. */
export interface WriteSummary {
  readonly subjects: number;
  readonly events: number;
  readonly codes: number;
  readonly shards: readonly string[];
  readonly subjectsPerSplit: Readonly<Record<string, number>>;
}

interface ShardBuffer {
  readonly name: string;
  readonly spill: string;
  parts: string[];
  bytes: number;
  subjects: number;
}

const FLUSH_BYTES = 4 << 20;

/** Streaming MEDS dataset writer. Call {@link add} for events, then {@link finish} once. */
export class MedsWriter {
  readonly dir: string;
  private readonly opts: MedsWriterOptions;
  private readonly extras: readonly ExtraColumn[];
  private readonly tmp: string;
  private readonly shardOf = new Map<number, ShardBuffer>();
  private readonly shards = new Map<string, ShardBuffer>();
  private readonly splitCounts = new Map<string, number>();
  private readonly splitOfSubject = new Map<number, string>();
  private readonly codeMeta = new Map<string, CodeMetadata>();
  private readonly codesSeen = new Set<string>();
  private readonly sourceIds = new Map<number, string>();
  private events = 0;
  private row = 0;
  private finished = false;

  constructor(dir: string, options: MedsWriterOptions = {}) {
    this.dir = dir;
    this.opts = options;
    this.extras = options.extraColumns ?? [];
    for (const x of this.extras) {
      if (['subject_id', 'time', 'code', 'numeric_value', 'text_value', '_row'].includes(x.name)) {
        throw new UsageError(`extra column "${x.name}" clashes with a standard MEDS column`, { field: x.name });
      }
    }
    if (existsSync(join(dir, 'metadata', 'dataset.json')) || existsSync(join(dir, 'data'))) {
      if (!options.overwrite)
        throw new UsageError('output directory already holds a MEDS dataset; pass overwrite to replace it', { file: dir });
      rmSync(join(dir, 'data'), { recursive: true, force: true });
      rmSync(join(dir, 'metadata'), { recursive: true, force: true });
    }
    this.tmp = join(dir, '.meds-writer-tmp');
    rmSync(this.tmp, { recursive: true, force: true });
    mkdirSync(this.tmp, { recursive: true });
  }

  /** Record a code's description and parents for codes.parquet (first description wins). */
  setCode(code: string, description: string | null, parentCodes: readonly string[] = []): void {
    const prev = this.codeMeta.get(code);
    if (prev && (prev.description !== null || description === null)) {
      if (parentCodes.length > 0) this.codeMeta.set(code, { ...prev, parentCodes: [...new Set([...prev.parentCodes, ...parentCodes])] });
      return;
    }
    this.codeMeta.set(code, { code, description, parentCodes: [...new Set([...(prev?.parentCodes ?? []), ...parentCodes])] });
  }

  /** Record the source identifier of a subject (FHIR/OMOP id), written to subject_ids.parquet. */
  setSourceId(subjectId: number, sourceId: string): void {
    this.sourceIds.set(subjectId, sourceId);
  }

  /** Append one event. Events of a subject may arrive in any order and interleaved with others. */
  add(ev: Event): void {
    if (this.finished) throw new UsageError('MedsWriter.add after finish');
    if (!Number.isSafeInteger(ev.subjectId))
      throw new UsageError(`subject_id must be a safe integer, got ${ev.subjectId}`, { field: 'subject_id' });
    if (typeof ev.code !== 'string' || ev.code === '')
      throw new UsageError(`code must be a non-empty string (subject ${ev.subjectId})`, { field: 'code' });
    if (ev.time !== null && !Number.isFinite(ev.time))
      throw new UsageError(`time must be finite epoch milliseconds or null (subject ${ev.subjectId})`, { field: 'time' });
    const shard = this.shardFor(ev.subjectId);
    const rec: Record<string, unknown> = {
      subject_id: ev.subjectId,
      time: ev.time === null ? null : Math.round(ev.time * 1000),
      code: ev.code,
      numeric_value: ev.numericValue !== null && Number.isFinite(ev.numericValue) ? ev.numericValue : null,
      text_value: ev.textValue,
      _row: this.row++,
    };
    if (ev.extra) {
      for (const x of this.extras) {
        const v = ev.extra[x.name];
        if (v === undefined || v === null) continue;
        rec[x.name] = x.type === 'TIMESTAMP' && typeof v === 'number' ? Math.round(v * 1000) : v;
      }
    }
    const line = JSON.stringify(rec) + '\n';
    shard.parts.push(line);
    shard.bytes += line.length;
    if (shard.bytes >= FLUSH_BYTES) this.flush(shard);
    this.codesSeen.add(ev.code);
    this.events++;
  }

  /** Append all events of a subject. */
  addAll(events: Iterable<Event>): void {
    for (const ev of events) this.add(ev);
  }

  private shardFor(subjectId: number): ShardBuffer {
    const known = this.shardOf.get(subjectId);
    if (known) return known;
    const split = this.opts.splits?.get(subjectId) ?? hashSplit(subjectId, this.opts.seed ?? 0, this.opts.fractions);
    const nth = this.splitCounts.get(split) ?? 0;
    this.splitCounts.set(split, nth + 1);
    this.splitOfSubject.set(subjectId, split);
    const name = `${split}/${Math.floor(nth / (this.opts.subjectsPerShard ?? 10_000))}`;
    let shard = this.shards.get(name);
    if (!shard) {
      shard = { name, spill: join(this.tmp, `${this.shards.size}.ndjson`), parts: [], bytes: 0, subjects: 0 };
      writeFileSync(shard.spill, '');
      this.shards.set(name, shard);
    }
    shard.subjects++;
    this.shardOf.set(subjectId, shard);
    return shard;
  }

  private flush(shard: ShardBuffer): void {
    if (shard.parts.length === 0) return;
    appendFileSync(shard.spill, shard.parts.join(''));
    shard.parts = [];
    shard.bytes = 0;
  }

  /** Give up: remove the spill files (used when a conversion fails part way). */
  abort(): void {
    this.finished = true;
    rmSync(this.tmp, { recursive: true, force: true });
  }

  /** Sort and write every shard and the metadata files. */
  async finish(): Promise<WriteSummary> {
    if (this.finished) throw new UsageError('MedsWriter.finish called twice');
    this.finished = true;
    const duck = await openDuck();
    const c = duck.connection;
    try {
      const jsonCols: Record<string, string> = {
        subject_id: 'BIGINT',
        time: 'BIGINT',
        code: 'VARCHAR',
        numeric_value: 'DOUBLE',
        text_value: 'VARCHAR',
        _row: 'BIGINT',
      };
      for (const x of this.extras) jsonCols[x.name] = x.type === 'TIMESTAMP' ? 'BIGINT' : x.type;
      const columnsSql = `{${Object.entries(jsonCols)
        .map(([k, t]) => `${sqlString(k)}: ${sqlString(t)}`)
        .join(', ')}}`;
      const select = [
        'subject_id',
        `${timestampFromMicros('time')} AS time`,
        'code',
        'numeric_value::FLOAT AS numeric_value',
        'text_value',
        ...this.extras.map((x) =>
          x.type === 'TIMESTAMP'
            ? `${timestampFromMicros(sqlIdent(x.name))} AS ${sqlIdent(x.name)}`
            : `${sqlIdent(x.name)}::${x.type} AS ${sqlIdent(x.name)}`,
        ),
      ].join(', ');
      const written: string[] = [];
      for (const shard of this.shards.values()) {
        this.flush(shard);
        const out = join(this.dir, 'data', `${shard.name}.parquet`);
        mkdirSync(dirname(out), { recursive: true });
        const partial = `${out}.partial`;
        await c.run(
          `COPY (SELECT ${select} FROM read_json(${sqlString(shard.spill)}, format = 'newline_delimited', columns = ${columnsSql})
             ORDER BY subject_id, time NULLS FIRST, _row)
           TO ${sqlString(partial)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`,
        );
        renameSync(partial, out);
        written.push(`data/${shard.name}.parquet`);
      }
      const meta = join(this.dir, 'metadata');
      mkdirSync(meta, { recursive: true });
      await this.writeCodes(c, join(meta, 'codes.parquet'));
      await writeRows(
        c,
        join(this.tmp, 'splits.ndjson'),
        join(meta, 'subject_splits.parquet'),
        [...this.splitOfSubject].map(([s, split]) => ({ subject_id: s, split })),
        { subject_id: 'BIGINT', split: 'VARCHAR' },
        'subject_id, split',
        'subject_id',
      );
      if (this.sourceIds.size > 0) {
        await writeRows(
          c,
          join(this.tmp, 'ids.ndjson'),
          join(meta, 'subject_ids.parquet'),
          [...this.sourceIds].map(([s, src]) => ({ subject_id: s, source_id: src })),
          { subject_id: 'BIGINT', source_id: 'VARCHAR' },
          'subject_id, source_id',
          'subject_id',
        );
      }
      const dataset = {
        dataset_name: this.opts.datasetName ?? 'ehr-embed dataset',
        dataset_version: this.opts.datasetVersion ?? '1',
        etl_name: 'ehr-embed',
        etl_version: PACKAGE_VERSION,
        meds_version: '0.3.3',
        created_at: new Date().toISOString(),
        ...(this.opts.provenance ? { ehr_embed_provenance: this.opts.provenance } : {}),
      };
      writeFileSync(join(meta, 'dataset.json'), JSON.stringify(dataset, null, 2) + '\n');
      return {
        subjects: this.shardOf.size,
        events: this.events,
        codes: this.codesSeen.size,
        shards: written,
        subjectsPerSplit: Object.fromEntries(this.splitCounts),
      };
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`writing MEDS dataset failed: ${duckMessage(err)}`, { file: this.dir }, { cause: err });
    } finally {
      duck.close();
      rmSync(this.tmp, { recursive: true, force: true });
    }
  }

  private async writeCodes(c: DuckDBConnection, file: string): Promise<void> {
    const rows = [...this.codesSeen].sort().map((code) => {
      const m = this.codeMeta.get(code);
      return { code, description: m?.description ?? null, parent_codes: m?.parentCodes ?? [] };
    });
    // Codes described but absent from the data are kept too: a vocabulary may be written ahead.
    for (const [code, m] of this.codeMeta)
      if (!this.codesSeen.has(code)) rows.push({ code, description: m.description, parent_codes: [...m.parentCodes] });
    await writeRows(
      c,
      join(this.tmp, 'codes.ndjson'),
      file,
      rows,
      { code: 'VARCHAR', description: 'VARCHAR', parent_codes: 'VARCHAR[]' },
      'code, description, parent_codes',
      'code',
    );
  }
}

/** Write small row sets through an NDJSON spill file and DuckDB's parquet writer. */
export async function writeRows(
  c: DuckDBConnection,
  spill: string,
  out: string,
  rows: readonly Record<string, unknown>[],
  columns: Record<string, string>,
  select: string,
  orderBy: string,
): Promise<void> {
  writeFileSync(spill, rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length > 0 ? '\n' : ''));
  const columnsSql = `{${Object.entries(columns)
    .map(([k, t]) => `${sqlString(k)}: ${sqlString(t)}`)
    .join(', ')}}`;
  const partial = `${out}.partial`;
  const source =
    rows.length > 0
      ? `read_json(${sqlString(spill)}, format = 'newline_delimited', columns = ${columnsSql})`
      : `(SELECT ${Object.entries(columns)
          .map(([k, t]) => `NULL::${t} AS ${sqlIdent(k)}`)
          .join(', ')} LIMIT 0)`;
  await c.run(`COPY (SELECT ${select} FROM ${source} ORDER BY ${orderBy}) TO ${sqlString(partial)} (FORMAT parquet, COMPRESSION zstd)`);
  renameSync(partial, out);
}
