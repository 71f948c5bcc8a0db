// Plain-JS entry of the fit worker thread (FitPool). Built (dist/eval/), the compiled worker sits
// beside this file. In a git checkout (src/eval/) there is only the TypeScript worker, and Node 20
// does not apply a parent's TypeScript loader to a worker's entry file, so register tsx (a
// development dependency) first.
import { existsSync } from 'node:fs';

const built = new URL('./fitWorker.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./fitWorker.ts');
}
