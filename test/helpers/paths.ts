import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after } from 'node:test';

/** The open data bundled with the repository (data/, see data/README.md): tests read nothing outside the clone. */
export const DATA = resolve(import.meta.dirname, '../../data');
export const MIMIC_MEDS = join(DATA, 'mimic-iv-demo-meds');

/** A fresh temp directory removed after the test file finishes. */
export function tempDir(prefix = 'ehr-embed-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}
