import type { TopLevelSpec } from 'vega-lite';
import { buildReportDocument } from './buildReportDocument.ts';
import { buildReportModel, type ReportModel } from './buildReportModel.ts';
import { calibrationChartSpec } from './calibrationSection.ts';
import { curveChartSpec } from './curveChartSpec.ts';
import { renderHtml } from './renderHtml.ts';
import { renderMarkdown } from './renderMarkdown.ts';
import type { ChartId } from './ReportDocument.ts';
import type { ReportInput } from './ReportInput.ts';
import { renderSvg } from './renderSvg.ts';
import { tokenHistogramSpec } from './tokenHistogramSpec.ts';

/** The two renderings of a report. */
export interface ReportOutput {
  /** Self-contained HTML page (inline CSS and SVG, no scripts, no network). */
  readonly html: string;
  /** The same content as GitHub-flavoured Markdown, without the charts. */
  readonly markdown: string;
}

/**
 * Build report.html and report.md from evaluation results and run artifacts. Asynchronous
 * because Vega's headless renderer is: it runs the chart dataflow before it can draw. The output
 * depends on the input only (no clock, no randomness), so it can be compared with golden files.
 */
export async function buildReport(input: ReportInput): Promise<ReportOutput> {
  const model = buildReportModel(input);
  const charts = await renderCharts(model);
  const doc = buildReportDocument(model);
  return { html: renderHtml(doc, charts), markdown: renderMarkdown(doc) };
}

/** The chart specs of a report (exported for inspection and tests). */
export function reportChartSpecs(model: ReportModel): Partial<Record<ChartId, TopLevelSpec>> {
  const specs: Partial<Record<ChartId, TopLevelSpec>> = {};
  const at = (scope: string) => model.curves.filter((c) => c.scope === scope);
  if (model.curves.length > 0) {
    specs.macro = curveChartSpec(at('macro'), model.models, { reference: true, panels: ['macro'] });
    const groupPanels = model.groups.filter((g) => at('group').some((c) => c.panel === g));
    // A single panel is drawn as a plain chart: it then needs a title to say which group or task it is.
    if (model.groups.length > 1 && groupPanels.length > 0)
      specs.groups = curveChartSpec(at('group'), model.models, {
        panels: groupPanels,
        ...(groupPanels.length === 1 ? { title: `Task group: ${groupPanels[0] as string}` } : {}),
      });
    const groupOf = new Map(model.tasks.map((t) => [t.name, t.group]));
    const taskTitle = (t: string): string => `${t}\n(${groupOf.get(t) ?? '?'})`;
    const taskPanels = model.tasks.map((t) => t.name).filter((t) => at('task').some((c) => c.panel === t));
    if (taskPanels.length > 0) {
      specs.tasks = curveChartSpec(at('task'), model.models, {
        panels: taskPanels,
        panelTitle: taskTitle,
        ...(taskPanels.length === 1
          ? { width: 420, height: 240, title: `Task: ${taskPanels[0] as string} (${groupOf.get(taskPanels[0] as string) ?? '?'})` }
          : {}),
      });
    }
  }
  const tokenRuns = (model.input.embeddings ?? []).filter((e) => e.tokenCounts && e.tokenCounts.length > 0);
  if (tokenRuns.length > 0)
    specs.tokens = tokenHistogramSpec(tokenRuns.map((e) => ({ name: e.name, counts: e.tokenCounts ?? [], budget: e.report.maxTokens })));
  const calibration = calibrationChartSpec(model);
  if (calibration) specs.calibration = calibration;
  return specs;
}

async function renderCharts(model: ReportModel): Promise<Partial<Record<ChartId, string>>> {
  const out: Partial<Record<ChartId, string>> = {};
  for (const [id, spec] of Object.entries(reportChartSpecs(model)) as [ChartId, TopLevelSpec][])
    out[id] = await renderSvg(spec, `chart-${id}`);
  return out;
}
