import { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { trainProbeBundle } from '../../pipeline/trainProbeBundle.ts';
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
    .requiredOption(
      '--features <dir>',
      'features directory from `ehr-embed embed` (its manifest.json names the model and serializer settings)',
    )
    .requiredOption('--task <name>', 'task to train')
    .requiredOption('--out <probe-dir>', 'directory for probe.json')
    .option('--meds <dir>', 'MEDS dataset, for the splits and code descriptions (default: the one recorded in <labels>/summary.json)')
    .option('--c <value>', 'fix the L2 strength C instead of choosing it on tuning (needed when tuning lacks a class)', (v) => {
      const n = Number(v);
      if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--c expects a positive number, got "${v}"`);
      return n;
    })
    .option(
      '--vocab <path...>',
      'extra vocabularies, as given to `ehr-embed embed --vocab` (the served texts must use the same descriptions)',
      [],
    )
    .option('--json', 'print probe.json without the vocabulary instead of a table', false)
    .action(async (o: TrainCliOptions) => {
      const probe = await trainProbeBundle({
        labels: o.labels,
        features: o.features,
        task: o.task,
        ...(o.meds !== undefined ? { meds: o.meds } : {}),
        ...(o.c !== undefined ? { C: o.c } : {}),
        vocab: o.vocab,
      });
      const file = probe.save(o.out);
      if (o.json) {
        const { serializer, ...rest } = probe.toJSON();
        process.stdout.write(
          JSON.stringify({ ...rest, serializer: { ...serializer, vocabulary: `${serializer.vocabulary.length} codes` } }, null, 2) + '\n',
        );
        return;
      }
      const t = probe.data.training;
      const table = makeTable(['measure', 'value']);
      table.push(['task', probe.task]);
      table.push(['model', `${probe.data.model.spec} (${probe.data.model.family}, ${probe.data.model.dims} dims)`]);
      const { serializer, instruction } = probe.data;
      table.push([
        'serialization',
        `${serializer.format}, budget ${serializer.maxTokens ?? 'none'} (${serializer.tokenizer} tokens), instruction ${instruction.mode}`,
      ]);
      table.push(['train rows (positives)', `${t.n} (${t.positives})`]);
      table.push(['tuning rows (positives)', `${t.tuningN} (${t.tuningPositives})`]);
      table.push(['C', `${t.C}${t.cSelected ? ' (chosen on tuning)' : ' (fixed)'}`]);
      table.push(['validation AUROC', t.validationAuroc === null ? '-' : t.validationAuroc.toFixed(3)]);
      table.push(['checksum', probe.checksum]);
      process.stdout.write(`${table.toString()}\nWrote ${file}.\n`);
    });
}
