import type { ReportModel } from './buildReportModel.ts';
import type { Block, Section } from './ReportDocument.ts';

/** Headline: what was run and the plain-language result. */
export function summarySection(m: ReportModel): Section {
  const blocks: Block[] = [
    { kind: 'paragraphs', items: m.summary, emphasis: true },
    { kind: 'facts', items: m.facts },
  ];
  if (m.input.notes && m.input.notes.length > 0) blocks.push({ kind: 'heading', text: 'Notes' }, { kind: 'list', items: m.input.notes });
  return { id: 'summary', title: 'Summary', blocks };
}
