// Regenerate docs/benchmark-config.schema.json from the config's zod schema (run after changing
// src/benchmark/BenchmarkConfig.ts): node --import tsx scripts/update-config-schema.ts
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { benchmarkConfigJsonSchema } from '../src/benchmark/BenchmarkConfig.ts';

const file = resolve(import.meta.dirname, '../docs/benchmark-config.schema.json');
writeFileSync(file, JSON.stringify(benchmarkConfigJsonSchema(), null, 2) + '\n');
process.stdout.write(`wrote ${file}\n`);
