import type { ReportModel } from './buildReportModel.ts';
import { calibrationSection } from './calibrationSection.ts';
import { curvesSection } from './curvesSection.ts';
import { dataSection } from './dataSection.ts';
import { examplesSection } from './examplesSection.ts';
import { glossarySection } from './glossarySection.ts';
import type { ReportDocument, Section } from './ReportDocument.ts';
import { resultsSection } from './resultsSection.ts';
import { skippedSection } from './skippedSection.ts';
import { subgroupSection } from './subgroupSection.ts';
import { summarySection } from './summarySection.ts';
import { timingsSection } from './timingsSection.ts';

/**
 * Lay the report out as sections: summary, curves, results, calibration, subgroups, data and labels, examples,
 * timings, skipped runs, glossary. Sections with nothing to show are left out.
 */
export function buildReportDocument(m: ReportModel): ReportDocument {
  const ev = m.input.evaluation;
  const sections = [
    summarySection(m),
    curvesSection(m),
    resultsSection(m),
    calibrationSection(m),
    subgroupSection(m),
    dataSection(m),
    examplesSection(m),
    timingsSection(m),
    skippedSection(m),
    glossarySection(),
  ].filter((s): s is Section => s !== null && s.blocks.length > 0);
  const source =
    ev.version !== undefined || ev.createdAt !== undefined
      ? ` \u00b7 results.json from ehr-embed ${ev.version ?? '?'}${ev.createdAt !== undefined ? ` written ${ev.createdAt}` : ''}`
      : '';
  return {
    title: m.input.title,
    meta: `Generated ${m.input.generatedAt}${source}`,
    sections,
    footer:
      "This report is self-contained: it loads no scripts, fonts, images or styles from the network. Its numbers are those of results.json, rounded; report.html's table cells also carry the exact values (data- attributes).",
  };
}
