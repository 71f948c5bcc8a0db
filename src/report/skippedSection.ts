import type { ReportModel } from './buildReportModel.ts';
import { formatCount } from './formatMetric.ts';
import type { Row, Section } from './ReportDocument.ts';

/** Skipped runs grouped by reason, with what the reason means. */
export function skippedSection(m: ReportModel): Section {
  const groups = m.skippedGroups;
  if (groups.length === 0)
    return { id: 'skipped', title: 'Skipped runs', blocks: [{ kind: 'paragraphs', items: ['No run was skipped.'] }] };
  const label = new Map(m.models.map((x) => [x.key, x.label]));
  const rows: Row[] = groups.map((g) => ({
    data: { reason: g.reason, count: String(g.count) },
    cells: [
      // Examples only when they say more than the reason and its k column (counts of positives).
      {
        text: g.reason,
        ...(g.examples.some((e) => e.replace(/\bk=\d+/g, 'k') !== g.reason) ? { sub: `e.g. ${g.examples.join('; ')}` } : {}),
      },
      { text: g.explanation },
      { text: formatCount(g.count), num: true },
      { text: g.tasks.join(', ') },
      { text: g.models.map((x) => label.get(x) ?? x).join(', ') },
      { text: g.ks.join(', ') },
    ],
  }));
  return {
    id: 'skipped',
    title: 'Skipped runs',
    blocks: [
      {
        kind: 'paragraphs',
        items: [
          `${formatCount(m.input.evaluation.skipped.length)} (task, model, k) combinations were not run; a skipped k is listed once, not per replicate. Macro means at such a k cover fewer tasks.`,
        ],
      },
      {
        kind: 'table',
        table: {
          id: 'skipped',
          headers: [
            { text: 'Reason' },
            { text: 'What it means' },
            { text: 'Runs', num: true },
            { text: 'Tasks' },
            { text: 'Models' },
            { text: 'k' },
          ],
          bodies: [rows],
        },
      },
    ],
  };
}
