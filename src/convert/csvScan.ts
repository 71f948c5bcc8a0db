/**
 * The row loop every CSV converter shares: count each row read, skip (and log) a row whose fields
 * do not fit the header, report progress in bytes, and hand the rest to the table's handler.
 */
import { basename } from 'node:path';
import type { RecordLocation } from './ConversionReport.ts';
import type { ConvertContext } from './Converter.ts';
import type { CsvReader, CsvRecord } from './csvReader.ts';

/** What {@link csvScan} needs besides the reader. */
export interface CsvScanOptions {
  /** Record kind for the counts (`encounters`, `measurement`, ...). */
  readonly kind: string;
  readonly ctx: ConvertContext;
  /** Bytes of earlier files, added to this file's for progress (default 0). */
  readonly bytesBefore?: number;
  /** Name of the file in rejects (default: its base name). */
  readonly name?: string;
}

/** A row's values by column index: the field as written, or null when absent or empty. */
export type CsvGet = (column: number) => string | null;

/**
 * Read every row of `reader`; `onRow` gets a value getter and the row's location for skips.
 * Rows with too few or too many fields are skipped with the reader's reason (`missing column X`).
 */
export async function csvScan(
  reader: CsvReader,
  options: CsvScanOptions,
  onRow: (get: CsvGet, where: RecordLocation, record: CsvRecord) => void,
): Promise<void> {
  const { kind, ctx } = options;
  const name = options.name ?? basename(reader.file);
  const before = options.bytesBefore ?? 0;
  for await (const batch of reader.batches()) {
    for (const rec of batch) {
      ctx.report.read(kind);
      const where: RecordLocation = { file: name, line: rec.row };
      if (rec.problem !== null) {
        ctx.report.skip(kind, rec.problem, where);
        continue;
      }
      const values = rec.values;
      onRow((i) => (i < 0 ? null : values[i] || null), where, rec);
    }
    ctx.progress(before + reader.bytesRead());
  }
  ctx.progress(before + reader.size);
}
