/**
 * Counts of a conversion (read, written, skipped by reason) and the rejects file. A bad record
 * never stops a run unless `strict`; it lands in `rejects.ndjson` with where it was and why.
 * Rejects name the location and the record id, never the record's content (privacy).
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { UsageError } from '../errors.ts';

/** Where a record was found. */
export interface RecordLocation {
  readonly file: string;
  /** 1-based line (NDJSON) or data row (CSV, header excluded). */
  readonly line?: number;
  /** Record identifier in the source (FHIR resource id, OMOP row id), when known. */
  readonly id?: string;
}

/** Plain-object summary of a conversion, written to `<out>/conversion.json`. */
export interface ConversionSummary {
  readonly source: string;
  readonly input: string;
  /** Records read, by kind (FHIR resource type, CSV table). */
  readonly read: Readonly<Record<string, number>>;
  /** Events written, by kind. */
  readonly written: Readonly<Record<string, number>>;
  /** Records skipped, by kind then reason. */
  readonly skipped: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Records deliberately not converted (billing, administrative), by kind then reason: not errors, not in rejects. */
  readonly ignored: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Records converted with a readable fallback (for example an unknown concept), by kind then note. */
  readonly fallbacks: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /**
   * Per source table or file, when the converter reads a directory of tables (OMOP): `read`,
   * `absent` (with what that means) or `not converted` with the reason. Present only then.
   */
  readonly tables?: Readonly<Record<string, string>>;
  readonly totals: {
    readonly read: number;
    readonly written: number;
    readonly skipped: number;
    readonly ignored: number;
    readonly fallbacks: number;
  };
}

/** Mutable counters of one conversion run. */
export class ConversionReport {
  private readonly readCounts = new Map<string, number>();
  private readonly writtenCounts = new Map<string, number>();
  private readonly skipped = new Map<string, Map<string, number>>();
  private readonly fallbacks = new Map<string, Map<string, number>>();
  private readonly ignoredCounts = new Map<string, Map<string, number>>();
  private pending: string[] = [];
  private readonly tableNotes = new Map<string, string>();

  /**
   * @param rejectsFile path of rejects.ndjson (created empty now)
   * @param strict throw on the first skipped record instead of counting it
   */
  constructor(
    readonly rejectsFile: string,
    readonly strict = false,
  ) {
    writeFileSync(rejectsFile, '');
  }

  /** Count a record read. */
  read(kind: string, n = 1): void {
    this.readCounts.set(kind, (this.readCounts.get(kind) ?? 0) + n);
  }

  /** Count events written for a record kind. */
  written(kind: string, n = 1): void {
    this.writtenCounts.set(kind, (this.writtenCounts.get(kind) ?? 0) + n);
  }

  /** Skip a record: counted by reason and appended to rejects.ndjson; throws when strict. */
  skip(kind: string, reason: string, where: RecordLocation): void {
    if (this.strict) {
      throw new UsageError(`${kind} skipped: ${reason} (--strict stops at the first bad record)`, {
        file: where.file,
        record: where.line ?? where.id,
      });
    }
    bump(this.skipped, kind, reason);
    this.pending.push(JSON.stringify({ file: where.file, line: where.line ?? null, id: where.id ?? null, kind, reason }));
    if (this.pending.length >= 1000) this.flush();
  }

  /** Count a record deliberately not converted (for example a billing resource). */
  ignore(kind: string, reason: string): void {
    bump(this.ignoredCounts, kind, reason);
  }

  /** Count a record converted with a readable fallback (not an error, but worth knowing). */
  fallback(kind: string, note: string): void {
    bump(this.fallbacks, kind, note);
  }

  /** Note what happened to a source table (`read`, `absent: ...`, `not converted: ...`) for the summary. */
  table(name: string, note: string): void {
    this.tableNotes.set(name, note);
  }

  /** Write pending rejects to disk. */
  flush(): void {
    if (this.pending.length === 0) return;
    appendFileSync(this.rejectsFile, this.pending.join('\n') + '\n');
    this.pending = [];
  }

  /** Number of skipped records so far. */
  get skippedTotal(): number {
    let n = 0;
    for (const m of this.skipped.values()) for (const v of m.values()) n += v;
    return n;
  }

  /** The summary as a plain object. */
  summary(source: string, input: string): ConversionSummary {
    this.flush();
    const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
    const nested = (m: Map<string, Map<string, number>>): Record<string, Record<string, number>> =>
      Object.fromEntries([...m].sort().map(([k, v]) => [k, Object.fromEntries([...v].sort((a, b) => b[1] - a[1]))]));
    return {
      source,
      input,
      read: Object.fromEntries([...this.readCounts].sort()),
      written: Object.fromEntries([...this.writtenCounts].sort()),
      skipped: nested(this.skipped),
      ignored: nested(this.ignoredCounts),
      fallbacks: nested(this.fallbacks),
      ...(this.tableNotes.size > 0 ? { tables: Object.fromEntries([...this.tableNotes].sort()) } : {}),
      totals: {
        read: sum(this.readCounts),
        written: sum(this.writtenCounts),
        skipped: this.skippedTotal,
        ignored: [...this.ignoredCounts.values()].reduce((a, m) => a + sum(m), 0),
        fallbacks: [...this.fallbacks.values()].reduce((a, m) => a + sum(m), 0),
      },
    };
  }
}

function bump(m: Map<string, Map<string, number>>, kind: string, reason: string): void {
  let inner = m.get(kind);
  if (!inner) m.set(kind, (inner = new Map()));
  inner.set(reason, (inner.get(reason) ?? 0) + 1);
}
