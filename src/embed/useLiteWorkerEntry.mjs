// Plain-JS entry of the use-lite worker thread. Built (dist/embed/), the compiled worker sits
// beside this file. In a git checkout (src/embed/) there is only the TypeScript worker, and Node 20
// does not apply a parent's TypeScript loader to a worker's entry file, so register tsx (a
// development dependency) first.
import { existsSync } from 'node:fs';

const built = new URL('./useLiteWorker.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./useLiteWorker.ts');
}
