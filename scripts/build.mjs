// `npm run build` (also run by `npm pack`/`npm publish` through "prepack"): compile src/ into
// dist/ with tsc, then copy the files tsc does not emit (every non-TypeScript file of src/) beside
// the compiled modules that load them by URL. dist/ is removed first so a deleted source file leaves
// no compiled file behind. `--no-check` skips tsc's type check (twice as fast; the package test
// uses it because `npm test` type-checks the same sources first).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const src = join(root, 'src');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const noCheck = process.argv.includes('--no-check') ? ['--noCheck'] : [];
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), ...noCheck], { stdio: 'inherit', cwd: root });

// Every file of src/ that is not TypeScript (today the plain-JS worker entry; HTML, CSS or JSON
// assets later) goes to the same place under dist/, so code that finds it by
// `new URL('./file', import.meta.url)` works from both trees.
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
  const from = join(entry.parentPath, entry.name);
  const to = join(dist, relative(src, from));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  process.stdout.write(`copied ${relative(root, from)} -> ${relative(root, to)}\n`);
}
