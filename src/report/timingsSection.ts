import type { ReportModel } from './buildReportModel.ts';
import { formatCount, formatRate, formatSeconds } from './formatMetric.ts';
import type { Row, Section } from './ReportDocument.ts';

/**
 * Time and throughput of each step: the timings given in the input, the serialize and embed
 * times of each embedding run, and the evaluation's runs.
 */
export function timingsSection(m: ReportModel): Section | null {
  const rows: Row[] = [];
  const add = (step: string, seconds: number, throughput: string, detail: string): void => {
    rows.push({
      data: { step, seconds: String(seconds) },
      cells: [{ text: step }, { text: formatSeconds(seconds), num: true }, { text: throughput, num: true }, { text: detail }],
    });
  };
  for (const t of m.input.timings ?? [])
    add(t.step, t.seconds, t.count !== undefined ? formatRate(t.count, t.seconds, t.unit ?? 'items') : '\u2014', t.detail ?? '');
  for (const { name, report: r } of m.input.embeddings ?? []) {
    add(
      `serialize (${name})`,
      r.seconds.serialize,
      formatRate(r.pairs, r.seconds.serialize, 'records'),
      `${formatCount(r.pairs)} (patient, prediction time) records to ${r.format} text, ${formatCount(r.distinctTexts)} distinct`,
    );
    if (!r.dryRun) {
      add(
        `embed (${name})`,
        r.seconds.embed,
        r.toEmbed > 0 ? formatRate(r.toEmbed, r.seconds.embed, 'texts') : '\u2014',
        `${r.model}: ${formatCount(r.toEmbed)} texts embedded, ${formatCount(r.cacheHits)} of ${formatCount(r.distinctInputs)} from the cache`,
      );
    } else if (r.estimatedSeconds !== undefined) {
      add(
        `embed (${name}, estimate)`,
        r.estimatedSeconds,
        formatRate(r.toEmbed, r.estimatedSeconds, 'texts'),
        `dry run: estimated from a measured sample for ${formatCount(r.toEmbed)} texts`,
      );
    }
  }
  const runs = m.input.evaluation.results;
  if (runs.length > 0) {
    const total = runs.reduce((a, r) => a + r.seconds, 0);
    add(
      'evaluate (fit and score)',
      total,
      formatRate(runs.length, total, 'runs'),
      `sum over ${formatCount(runs.length)} runs: choosing settings on validation, fitting, scoring the test split and its bootstrap intervals (paired tests not included)`,
    );
  }
  if (rows.length === 0) return null;
  return {
    id: 'timings',
    title: 'Timings',
    blocks: [
      {
        kind: 'table',
        table: {
          id: 'timings',
          headers: [{ text: 'Step' }, { text: 'Time', num: true }, { text: 'Throughput', num: true }, { text: 'Detail' }],
          bodies: [rows],
        },
      },
    ],
  };
}
