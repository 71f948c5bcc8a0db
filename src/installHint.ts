import { readFileSync } from 'node:fs';

/**
 * The npm command that installs optional peer dependencies, with the versions this release was
 * tested with where package.json pins one (a caret range is left to npm). package.json is read
 * only here, on the error path; the path holds from src/ and from dist/.
 */
export function installHint(packages: readonly string[]): string {
  let peers: Record<string, string> = {};
  try {
    peers =
      (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { peerDependencies?: Record<string, string> })
        .peerDependencies ?? {};
  } catch {
    // No readable manifest: the plain package names still help.
  }
  return `npm install ${packages.map((p) => (/^\d/.test(peers[p] ?? '') ? `${p}@${peers[p]}` : p)).join(' ')}`;
}
