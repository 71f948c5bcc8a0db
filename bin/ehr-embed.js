#!/usr/bin/env node
// The `ehr-embed` command. In a git checkout (src/ beside bin/) it runs the TypeScript sources
// through tsx, a development dependency: `npx ehr-embed` after `npm ci` always runs the code as
// it is, with no build step and no stale dist/ to forget. The published package has no src/
// (package.json "files") and runs the built JavaScript in dist/ with plain Node.
import { existsSync } from 'node:fs';

// A closed pipe (`ehr-embed ... | head`) is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const source = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import('../dist/cli/main.js'));
}
process.exitCode = await main(process.argv);
