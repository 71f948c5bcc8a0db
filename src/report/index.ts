/** Evaluation results → self-contained report.html and report.md. Re-exports only. */
export { buildReport, reportChartSpecs } from './buildReport.ts';
export type { ReportOutput } from './buildReport.ts';
export { writeReport } from './writeReport.ts';
export { buildReportModel, ALPHA } from './buildReportModel.ts';
export type { MacroCell, MetricRow, ReportModel, ReportTask } from './buildReportModel.ts';
export type { ReportEmbedding, ReportExample, ReportInput, ReportTiming } from './ReportInput.ts';
export { EHRSHOT_REFERENCE, EHRSHOT_REFERENCE_LABEL } from './EHRSHOT_REFERENCE.ts';
export type { ReferenceCurve } from './EHRSHOT_REFERENCE.ts';
export { escapeHtml } from './escapeHtml.ts';
export { renderSvg } from './renderSvg.ts';
