#!/usr/bin/env node
// The `ehr-embed` command. In a git checkout (src/ beside bin/) it runs the TypeScript sources
// through tsx, a development dependency: `npx ehr-embed` after `npm ci` always runs the code as
// it is, with no build step and no stale dist/ to forget. The published package has no src/
// (package.json "files") and runs the built JavaScript in dist/ with plain Node; so does a
// checkout installed without development dependencies, once `npm run build` has made dist/.
import { existsSync } from 'node:fs';

// A closed pipe (`ehr-embed ... | head`) is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const source = new URL('../src/cli/main.ts', import.meta.url);
const built = new URL('../dist/cli/main.js', import.meta.url);

/** tsx's loader API, or null when it is not installed. */
async function tsx() {
  try {
    return await import('tsx/esm/api');
  } catch (err) {
    if (err?.code === 'ERR_MODULE_NOT_FOUND') return null;
    throw err;
  }
}

let main;
const loader = existsSync(source) ? await tsx() : null;
if (loader !== null) {
  loader.register();
  ({ main } = await import(source.href));
} else if (existsSync(built)) {
  ({ main } = await import(built.href));
} else {
  process.stderr.write(
    'ehr-embed: error: neither tsx (a development dependency: run npm ci) nor a build (npm run build) is here to run the sources\n',
  );
  process.exit(2);
}
process.exitCode = await main(process.argv);
