// Rewrite the dependency table of docs/architecture.md from docs/dependency-rules.json (the one
// source; test/architecture/dependencies.test.ts checks the two agree):
//   node --import tsx scripts/update-architecture-doc.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadRules, rulesTable, TABLE_END, TABLE_START } from '../test/architecture/dependencyRules.ts';

const file = resolve(import.meta.dirname, '../docs/architecture.md');
const doc = readFileSync(file, 'utf8');
const a = doc.indexOf(TABLE_START);
const b = doc.indexOf(TABLE_END);
if (a < 0 || b < a) throw new Error(`${file} has no ${TABLE_START} ... ${TABLE_END} block`);
writeFileSync(file, `${doc.slice(0, a + TABLE_START.length)}\n${rulesTable(loadRules())}\n${doc.slice(b)}`);
process.stdout.write(`wrote ${file}\n`);
