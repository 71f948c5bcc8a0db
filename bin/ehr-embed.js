#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx: no build step, so `npx ehr-embed` works right
// after `npm ci`.
import { register } from 'tsx/esm/api';

register();
// A closed pipe (`ehr-embed ... | head`) is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
