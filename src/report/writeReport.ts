import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildReport } from './buildReport.ts';
import type { ReportInput } from './ReportInput.ts';

/**
 * Write `<dir>/report.html` and `<dir>/report.md` (creating `dir`).
 * @returns the paths written
 */
export async function writeReport(dir: string, input: ReportInput): Promise<{ html: string; markdown: string }> {
  const { html, markdown } = await buildReport(input);
  mkdirSync(dir, { recursive: true });
  const paths = { html: join(dir, 'report.html'), markdown: join(dir, 'report.md') };
  writeFileSync(paths.html, html);
  writeFileSync(paths.markdown, markdown);
  return paths;
}
