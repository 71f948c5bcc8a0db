import { Command } from 'commander';
import { readFeaturesManifest } from '../../artifacts/featuresManifest.ts';
import { resolveInstruction } from '../../serialize/instructions.ts';
import { UsageError } from '../../errors.ts';
import { loadEmbeddingFeatureSet } from '../../eval/featureSets.ts';
import { loadTasks, readLabelsDir } from '../../artifacts/labelsDir.ts';
import { trainProbe } from '../../eval/trainProbe.ts';
import { openMedsDataset } from '../../meds/MedsDataset.ts';
import { PROBE_BUNDLE_KIND, ProbeBundle } from '../../artifacts/ProbeBundle.ts';
import { subjectSplitResolver } from '../../tasks/subjectSplitResolver.ts';
import type { CodeMetadata } from '../../types.ts';
import { PACKAGE_VERSION } from '../../version.ts';
import { buildVocabulary } from '../../vocab/VocabularyChain.ts';
import { makeTable } from '../table.ts';

interface TrainCliOptions {
  labels: string;
  features: string;
  task: string;
  out: string;
  meds?: string;
  c?: number;
  vocab: string[];
  json: boolean;
}

/** `ehr-embed train --labels <dir> --features <dir> --task <t> --out <probe-dir>`. */
export function trainCommand(): Command {
  return new Command('train')
    .description(
      'Fit the serving probe of one task: logistic regression on all train labels, C chosen by validation AUROC on tuning; writes <out>/probe.json with the head, the serializer settings and code descriptions, the model spec and family, the instruction and a checksum over all of it (`ehr-embed serve --probes <out>`).',
    )
    .requiredOption('--labels <dir>', 'labels directory from `ehr-embed label`')
    .requiredOption('--features <dir>', 'features directory from `ehr-embed embed` (its manifest.json names the model and serializer settings)')
    .requiredOption('--task <name>', 'task to train')
    .requiredOption('--out <probe-dir>', 'directory for probe.json')
    .option('--meds <dir>', 'MEDS dataset, for the splits and code descriptions (default: the one recorded in <labels>/summary.json)')
    .option('--c <value>', 'fix the L2 strength C instead of choosing it on tuning (needed when tuning lacks a class)', (v) => {
      const n = Number(v);
      if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--c expects a positive number, got "${v}"`);
      return n;
    })
    .option('--vocab <path...>', 'extra vocabularies, as given to `ehr-embed embed --vocab` (the served texts must use the same descriptions)', [])
    .option('--json', 'print probe.json without the vocabulary instead of a table', false)
    .action(async (o: TrainCliOptions) => {
      const manifest = readFeaturesManifest(o.features);
      const dims = manifest.dims;
      if (dims === undefined) throw new UsageError('features manifest: dims: expected a positive integer (features were written)', { file: o.features, field: 'dims' });
      if (!Object.hasOwn(manifest.tasks, o.task)) {
        throw new UsageError(`no features for task "${o.task}" in this features directory (has: ${Object.keys(manifest.tasks).sort().join(', ') || 'none'})`, { file: o.features });
      }
      const ld = readLabelsDir(o.labels);
      const query = ld.summary.tasks[o.task]?.query ?? null;
      const ds = await openMedsDataset(o.meds ?? ld.summary.dataset);
      let vocabulary: CodeMetadata[];
      let probe: ProbeBundle;
      try {
        const [task] = await loadTasks(ld, [o.task], subjectSplitResolver(ds.splits, ld.summary.seed));
        if (!task) throw new UsageError(`unknown task "${o.task}"`, { file: o.labels });
        const features = await loadEmbeddingFeatureSet('embedding', o.features, [task]);
        if (features.dims !== dims) throw new UsageError(`features have ${features.dims} dimensions but manifest.json says ${dims}`, { file: o.features });
        const trained = trainProbe(task, features.rows(task.name), features.dims, o.c !== undefined ? { C: o.c } : {});
        // The descriptions the training texts were made with (as `embed` built them), for serving.
        const codes = await ds.distinctCodes();
        const chain = await buildVocabulary({ codes, datasetCodes: ds.codes, paths: o.vocab });
        vocabulary = codes
          .map((code) => ({ code, description: chain.describe(code), parentCodes: [...chain.parents(code)] }))
          .filter((c) => c.description !== null || c.parentCodes.length > 0);
        probe = ProbeBundle.create({
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
      const file = probe.save(o.out);
      if (o.json) {
        const { serializer, ...rest } = probe.toJSON();
        process.stdout.write(JSON.stringify({ ...rest, serializer: { ...serializer, vocabulary: `${serializer.vocabulary.length} codes` } }, null, 2) + '\n');
        return;
      }
      const t = probe.data.training;
      const table = makeTable(['measure', 'value']);
      table.push(['task', probe.task]);
      table.push(['model', `${probe.data.model.spec} (${probe.data.model.family}, ${probe.data.model.dims} dims)`]);
      table.push(['serialization', `${manifest.format}, budget ${manifest.maxTokens ?? 'none'} (${manifest.tokenizer} tokens), instruction ${manifest.instruction}`]);
      table.push(['train rows (positives)', `${t.n} (${t.positives})`]);
      table.push(['tuning rows (positives)', `${t.tuningN} (${t.tuningPositives})`]);
      table.push(['C', `${t.C}${t.cSelected ? ' (chosen on tuning)' : ' (fixed)'}`]);
      table.push(['validation AUROC', t.validationAuroc === null ? '-' : t.validationAuroc.toFixed(3)]);
      table.push(['checksum', probe.checksum]);
      process.stdout.write(`${table.toString()}\nWrote ${file}.\n`);
    });
}
