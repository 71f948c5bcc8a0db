// Rewrite test/package/public-exports.txt from src/index.ts after a deliberate change of the
// public API (note it in CHANGELOG.md; docs/versioning.md says which version bump it needs):
//   node --import tsx scripts/update-public-exports.ts
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { publicNames } from '../test/package/exportsOf.ts';

const file = resolve(import.meta.dirname, '../test/package/public-exports.txt');
writeFileSync(file, publicNames(resolve(import.meta.dirname, '../src/index.ts')).join('\n') + '\n');
process.stdout.write(`wrote ${file}\n`);
