// Plain-JS entry of the serialization worker thread. Built (dist/pipeline/), the compiled worker
// sits beside this file. In a git checkout (src/pipeline/) there is only the TypeScript worker, and
// Node 20 does not apply a parent's TypeScript loader to a worker's entry file, so register tsx (a
// development dependency) first.
import { existsSync } from 'node:fs';

const built = new URL('./serializeWorker.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./serializeWorker.ts');
}
