/** Run a converter end to end: source → MEDS directory with conversion.json and rejects.ndjson. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { MedsWriter, type WriteSummary } from '../meds/MedsWriter.ts';
import { DEFAULT_FRACTIONS, type SplitFractions } from '../meds/hashSplit.ts';
import { ConversionReport, type ConversionSummary } from './ConversionReport.ts';
import { CONVERTED_EXTRA_COLUMNS, type ConvertContext } from './Converter.ts';
import { getConverter } from './registry.ts';
import { SubjectIdMap } from './SubjectIdMap.ts';

/** Options of {@link convertToMeds}. */
export interface ConvertOptions {
  /** Source format: a key of the converter registry (`fhir`, `synthea`, `omop`, `ehrshot`). */
  readonly from: string;
  /** Input file or directory. */
  readonly input: string;
  /** Output MEDS directory. */
  readonly out: string;
  /** Stop at the first bad record (default false: skip it, count it, log it to rejects.ndjson). */
  readonly strict?: boolean;
  /** Replace an existing MEDS dataset in `out` (default false). */
  readonly overwrite?: boolean;
  /** Seed of the hash split (default 0). */
  readonly seed?: number;
  /** Fractions of the hash split (default 70/15/15 train/tuning/held_out). */
  readonly fractions?: SplitFractions;
  /** Called as input is consumed (bytes or rows, per converter). */
  readonly onProgress?: (done: number, total: number | undefined) => void;
}

/** Result of {@link convertToMeds}. */
export interface ConvertResult {
  readonly conversion: ConversionSummary;
  readonly dataset: WriteSummary;
  readonly seconds: number;
}

/** Convert a source to a MEDS dataset. The summary is also written to `<out>/conversion.json`. */
export async function convertToMeds(options: ConvertOptions): Promise<ConvertResult> {
  const converter = getConverter(options.from);
  const input = resolve(options.input);
  if (!existsSync(input)) throw new UsageError('input does not exist', { file: options.input });
  const started = performance.now();
  const writer = new MedsWriter(options.out, {
    extraColumns: CONVERTED_EXTRA_COLUMNS,
    seed: options.seed ?? 0,
    ...(options.fractions ? { fractions: options.fractions } : {}),
    overwrite: options.overwrite ?? false,
    datasetName: `${converter.name} conversion`,
    provenance: {
      source: converter.name,
      input,
      seed: options.seed ?? 0,
      fractions: options.fractions ?? DEFAULT_FRACTIONS,
      convertedAt: new Date().toISOString(),
    },
  });
  mkdirSync(options.out, { recursive: true });
  const report = new ConversionReport(join(options.out, 'rejects.ndjson'), options.strict ?? false);
  const ids = new SubjectIdMap();
  let total: number | undefined;
  const ctx: ConvertContext = {
    emit(event, kind) {
      writer.add(event);
      report.written(kind);
    },
    describeCode(code, description, parents) {
      writer.setCode(code, description, parents);
    },
    subjectId: (sourceId) => ids.idFor(sourceId),
    report,
    progress(done, t) {
      if (t !== undefined) total = t;
      options.onProgress?.(done, total);
    },
  };
  try {
    await converter.convert(input, ctx);
  } catch (err) {
    writer.abort();
    report.flush();
    throw err;
  }
  for (const [sid, src] of ids.entries()) writer.setSourceId(sid, src);
  const dataset = await writer.finish();
  const conversion = report.summary(converter.name, input);
  const seconds = (performance.now() - started) / 1000;
  writeFileSync(join(options.out, 'conversion.json'), JSON.stringify({ ...conversion, dataset, seconds }, null, 2) + '\n');
  return { conversion, dataset, seconds };
}
