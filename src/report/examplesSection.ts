import type { ReportModel } from './buildReportModel.ts';
import type { Section } from './ReportDocument.ts';

/** One example serialization per format, as the embedding model reads it. */
export function examplesSection(m: ReportModel): Section | null {
  const examples = m.input.examples ?? [];
  if (examples.length === 0) return null;
  return {
    id: 'examples',
    title: 'Example texts',
    blocks: [
      {
        kind: 'paragraphs',
        items: ['What an embedding model reads: one synthetic record (no real patient) serialized in each format used.'],
      },
      ...examples.map((e) => ({ kind: 'pre' as const, title: `${e.title} (${e.format})`, text: e.text })),
    ],
  };
}
