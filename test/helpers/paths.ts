import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after } from 'node:test';

/** The shared open data (../shared/data), as laid out for sessions and CI. */
export const SHARED_DATA = resolve(import.meta.dirname, '../../../shared/data');
export const MIMIC_MEDS = join(SHARED_DATA, 'mimic-iv-demo-meds');

/** A fresh temp directory removed after the test file finishes. */
export function tempDir(prefix = 'ehr-embed-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}
