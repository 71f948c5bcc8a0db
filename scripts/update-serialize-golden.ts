// Regenerate test/golden/serialize from the bundled data/. Review the diff before committing:
//   node --import tsx scripts/update-serialize-golden.ts
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GOLDEN_DIR, renderGoldenCases } from '../test/serialize/goldenCases.ts';

const tmp = mkdtempSync(join(tmpdir(), 'golden-'));
try {
  const cases = await renderGoldenCases(tmp, resolve(import.meta.dirname, '../data'));
  rmSync(GOLDEN_DIR, { recursive: true, force: true });
  mkdirSync(GOLDEN_DIR, { recursive: true });
  for (const c of cases) writeFileSync(join(GOLDEN_DIR, c.file), c.text);
  console.log(`wrote ${cases.length} golden files to ${GOLDEN_DIR}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
