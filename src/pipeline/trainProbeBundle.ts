/**
 * The `train` pipeline: a labels directory and a features directory → the serving probe of one
 * task (`probe.json`): the fitted head together with the serializer settings, code descriptions,
 * model and instruction its features were made with.
 */
import { readFeaturesManifest } from '../artifacts/featuresManifest.ts';
import { loadTasks, readLabelsDir } from '../artifacts/labelsDir.ts';
import { PROBE_BUNDLE_KIND, ProbeBundle } from '../artifacts/ProbeBundle.ts';
import { UsageError } from '../errors.ts';
import { loadEmbeddingFeatureSet } from '../eval/featureSets.ts';
import { trainProbe } from '../eval/trainProbe.ts';
import { openMedsDataset } from '../meds/MedsDataset.ts';
import { resolveInstruction } from '../serialize/instructions.ts';
import { subjectSplitResolver } from '../tasks/subjectSplitResolver.ts';
import { PACKAGE_VERSION } from '../version.ts';
import { buildVocabulary } from '../vocab/VocabularyChain.ts';

/** Options of {@link trainProbeBundle}. */
export interface TrainProbeBundleOptions {
  /** Labels directory (from `ehr-embed label`); recorded in the bundle as given. */
  readonly labels: string;
  /** Features directory (from `ehr-embed embed`); recorded in the bundle as given. */
  readonly features: string;
  readonly task: string;
  /** MEDS dataset for the splits and code descriptions (default: the one in the labels' summary.json). */
  readonly meds?: string;
  /** Fix C instead of choosing it on tuning (default: chosen). */
  readonly C?: number;
  /** Extra vocabularies, as given to `embed` (default none). */
  readonly vocab?: readonly string[];
}

/**
 * Fit the serving probe of one task: logistic regression on every train label, C chosen by
 * validation AUROC on tuning ({@link trainProbe}), bundled with what its features meant.
 *
 * @throws UsageError when the features lack the task, disagree with their manifest, or a split
 *   lacks a class
 */
export async function trainProbeBundle(o: TrainProbeBundleOptions): Promise<ProbeBundle> {
  const manifest = readFeaturesManifest(o.features);
  const dims = manifest.dims;
  if (dims === undefined)
    throw new UsageError('features manifest: dims: expected a positive integer (features were written)', {
      file: o.features,
      field: 'dims',
    });
  if (!Object.hasOwn(manifest.tasks, o.task)) {
    throw new UsageError(
      `no features for task "${o.task}" in this features directory (has: ${Object.keys(manifest.tasks).sort().join(', ') || 'none'})`,
      { file: o.features },
    );
  }
  const ld = readLabelsDir(o.labels);
  const query = ld.summary.tasks[o.task]?.query ?? null;
  const ds = await openMedsDataset(o.meds ?? ld.summary.dataset);
  try {
    const [task] = await loadTasks(ld, [o.task], subjectSplitResolver(ds.splits, ld.summary.seed));
    if (!task) throw new UsageError(`unknown task "${o.task}"`, { file: o.labels });
    const features = await loadEmbeddingFeatureSet('embedding', o.features, [task]);
    if (features.dims !== dims)
      throw new UsageError(`features have ${features.dims} dimensions but manifest.json says ${dims}`, { file: o.features });
    const trained = trainProbe(task, features.rows(task.name), features.dims, o.C !== undefined ? { C: o.C } : {});
    // The descriptions the training texts were made with (as `embed` built them), for serving.
    const codes = await ds.distinctCodes();
    const chain = await buildVocabulary({ codes, datasetCodes: ds.codes, paths: o.vocab ?? [] });
    const vocabulary = codes
      .map((code) => ({ code, description: chain.describe(code), parentCodes: [...chain.parents(code)] }))
      .filter((c) => c.description !== null || c.parentCodes.length > 0);
    return ProbeBundle.create({
      kind: PROBE_BUNDLE_KIND,
      version: 1,
      task: o.task,
      createdAt: new Date().toISOString(),
      ehrEmbedVersion: PACKAGE_VERSION,
      model: { spec: manifest.model, family: manifest.family, dims },
      serializer: { format: manifest.format, maxTokens: manifest.maxTokens, tokenizer: manifest.tokenizer, vocabulary },
      instruction: { mode: manifest.instruction, text: resolveInstruction(manifest.instruction, manifest.format, query ?? undefined) },
      head: { scaler: trained.scaler.toJSON(), logistic: trained.logistic.toJSON() },
      training: { labels: o.labels, features: o.features, ...trained.summary },
    });
  } finally {
    ds.close();
  }
}
