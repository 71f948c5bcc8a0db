import type { ReportModel } from './buildReportModel.ts';
import { formatCount } from './formatMetric.ts';
import type { Row, Section } from './ReportDocument.ts';

const ATTRIBUTE_LABEL: Readonly<Record<string, string>> = { sex: 'Sex', age: 'Age band', race: 'Race', ethnicity: 'Ethnicity' };

const ci = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');

/**
 * AUROC by subgroup (sex, age band at the prediction time, race, ethnicity) at k = all, per task
 * and model, with labels and positives per group and a flag where a group's 95% interval lies
 * entirely outside the overall one. Null when results.json has no subgroup results.
 */
export function subgroupSection(m: ReportModel): Section | null {
  const runs = m.input.evaluation.results.filter((r) => r.k === 'all' && r.subgroups && r.subgroups.length > 0);
  if (runs.length === 0) return null;
  const label = new Map(m.models.map((x) => [x.key, x.label]));
  const order = (key: string): number => m.models.findIndex((x) => x.key === key);
  let flagged = 0;
  const bodies: Row[][] = [];
  for (const t of m.tasks) {
    const rows: Row[] = [];
    for (const r of runs
      .filter((x) => x.task === t.name)
      .sort((a, b) => order(`${a.featureSet}|${a.head}`) - order(`${b.featureSet}|${b.head}`))) {
      const model = `${r.featureSet}|${r.head}`;
      rows.push({
        cls: 'overall',
        data: { task: r.task, model, attribute: 'all', group: 'all', auroc: String(r.auroc.estimate) },
        cells: [
          { text: r.task },
          { text: label.get(model) ?? model },
          { text: 'All test labels' },
          { text: '' },
          { text: formatCount(r.nTest), num: true },
          { text: '', num: true },
          { text: `${r.auroc.estimate.toFixed(3)} (${ci(r.auroc.lower)}\u2013${ci(r.auroc.upper)})`, num: true },
          { text: '' },
        ],
      });
      for (const g of r.subgroups ?? []) {
        if (g.flagged) flagged++;
        rows.push({
          ...(g.flagged ? { cls: 'flagged' } : {}),
          data: {
            task: r.task,
            model,
            attribute: g.attribute,
            group: g.group,
            labels: String(g.labels),
            positives: String(g.positives),
            auroc: String(g.auroc?.estimate ?? null),
            lower: String(g.auroc?.lower ?? null),
            upper: String(g.auroc?.upper ?? null),
            flagged: String(g.flagged),
          },
          cells: [
            { text: '' },
            { text: '' },
            { text: ATTRIBUTE_LABEL[g.attribute] ?? g.attribute },
            { text: g.group },
            { text: formatCount(g.labels), num: true },
            { text: formatCount(g.positives), num: true },
            {
              text:
                g.auroc === null ? 'n/a (one class)' : `${g.auroc.estimate.toFixed(3)} (${ci(g.auroc.lower)}\u2013${ci(g.auroc.upper)})`,
              num: true,
            },
            { text: g.flagged ? (g.auroc !== null && g.auroc.estimate < r.auroc.estimate ? 'below overall' : 'above overall') : '' },
          ],
        });
      }
    }
    if (rows.length > 0) bodies.push(rows);
  }
  return {
    id: 'subgroups',
    title: 'Subgroups',
    blocks: [
      {
        kind: 'paragraphs',
        items: [
          'AUROC on the test split by sex, age band at the prediction time and, where the dataset records them, race and ethnicity, for the models trained on all training data (k = all). ' +
            'Intervals are 95% bootstrap intervals over the subjects of each group. A group is flagged when its whole interval lies above or below the overall interval; small groups have wide intervals and are rarely flagged, so read their point estimates with care.',
          flagged === 0 ? 'No subgroup is flagged.' : `${formatCount(flagged)} subgroup result(s) flagged.`,
        ],
      },
      {
        kind: 'table',
        table: {
          id: 'subgroups',
          headers: [
            { text: 'Task' },
            { text: 'Model' },
            { text: 'Attribute' },
            { text: 'Group' },
            { text: 'Labels', num: true },
            { text: 'Positives', num: true },
            { text: 'AUROC (95% CI)', num: true },
            { text: 'Flag' },
          ],
          bodies,
        },
      },
    ],
  };
}
