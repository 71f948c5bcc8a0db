import { Command, Option } from 'commander';
import { parseFhirDateTime } from '../../convert/parseFhirDateTime.ts';
import { UsageError } from '../../errors.ts';
import { openMedsDataset } from '../../meds/MedsDataset.ts';
import { serialize, SERIALIZE_FORMATS, type SerializeFormat } from '../../serialize/serialize.ts';
import { TOKENIZER_NAMES } from '../../tokenize/getTokenizer.ts';
import { buildVocabulary } from '../../vocab/VocabularyChain.ts';
import { parsePositiveInt } from '../parseOptions.ts';

interface SerializeCliOptions {
  subject: string;
  time: string;
  format: SerializeFormat;
  maxTokens?: number;
  tokenizer: string;
  window?: number;
  vocab: string[];
  json: boolean;
}

/** Parse an ISO 8601 date or date-time option (UTC unless an offset is given) to epoch ms. */
export function parseIsoOption(value: string, option: string): number {
  const t = parseFhirDateTime(value);
  if (t === null || !/^\d{4}-\d{2}-\d{2}/.test(value))
    throw new UsageError(`${option} expects an ISO 8601 date or date-time such as 2019-05-01 or 2019-05-01T23:59:00Z, got "${value}"`);
  return t;
}

/**
 * A prediction time before every timed event leaves only static facts: say so on stderr (with the
 * first event's time, not its content) instead of printing a near-empty record without a word.
 */
function warnIfBeforeEveryEvent(events: readonly { time: number | null }[], predictionTime: number, given: string): void {
  let first = Infinity;
  for (const e of events) if (e.time !== null && e.time < first) first = e.time;
  if (Number.isFinite(first) && first > predictionTime) {
    process.stderr.write(
      `ehr-embed: note: --time ${given} is before this subject's first event (${new Date(first).toISOString()}): only static facts are visible\n`,
    );
  }
}

/** `ehr-embed serialize <meds-dir> --subject <id> --time <iso>`. */
export function serializeCommand(): Command {
  return new Command('serialize')
    .description(
      'Print what a model reads: one subject serialized at a prediction time (only events at or before it are used). With --json, also the token count, the truncation report and, per line, the source events. ' +
        'Dates in the text are shifted so that the prediction time reads as 2024-01-01 (SPEC 2.1): the model sees how long ago things happened, never the real date, so "Current time: 2024-01-01" whatever --time says is expected.',
    )
    .argument('<meds-dir>', 'MEDS dataset directory')
    .requiredOption('--subject <id>', 'MEDS subject_id or source id (metadata/subject_ids.parquet)')
    .requiredOption('--time <iso>', 'prediction time, ISO 8601 (UTC unless an offset is given)')
    .addOption(
      new Option(
        '--format <format>',
        "markdown or list: the paper's serializers byte for byte (SPEC 2.1, 2.2); markdown-plus or list-plus: ehr-embed's variants (docs/serialization.md)",
      )
        .choices([...SERIALIZE_FORMATS])
        .default('markdown'),
    )
    .option('--max-tokens <n>', 'token budget (default: none)', (v) => parsePositiveInt(v, '--max-tokens'))
    .addOption(
      new Option(
        '--tokenizer <name>',
        'tokenizer for the budget and the count (qwen2 = qwen3 vocabulary; use-lite = the tokens of the default use-lite embedder, which reads 120-token chunks of a text; chars = UTF-16 characters)',
      )
        .choices([...TOKENIZER_NAMES])
        .default('qwen2'),
    )
    .option('--window <days>', 'only the last N days before the prediction time (static facts always kept)', (v) =>
      parsePositiveInt(v, '--window'),
    )
    .option('--vocab <path...>', 'extra vocabularies for descriptions (see vocab-audit)', [])
    .option('--json', 'print JSON: text, tokenCount, truncation, lines with their source events', false)
    .action(async (dir: string, o: SerializeCliOptions) => {
      const predictionTime = parseIsoOption(o.time, '--time');
      const ds = await openMedsDataset(dir);
      try {
        const subjectId = ds.resolveSubjectId(o.subject);
        const subject = await ds.getSubject(subjectId);
        warnIfBeforeEveryEvent(subject.events, predictionTime, o.time);
        const vocabulary = await buildVocabulary({
          codes: new Set(subject.events.map((e) => e.code)),
          datasetCodes: ds.codes,
          paths: o.vocab,
        });
        const r = serialize(subject, {
          predictionTime,
          format: o.format,
          tokenizer: o.tokenizer,
          vocabulary,
          ...(o.maxTokens !== undefined ? { maxTokens: o.maxTokens } : {}),
          ...(o.window !== undefined ? { timeWindowDays: o.window } : {}),
        });
        if (o.json) {
          process.stdout.write(
            JSON.stringify(
              {
                subjectId,
                predictionTime: new Date(predictionTime).toISOString(),
                format: o.format,
                tokenizer: o.tokenizer,
                text: r.text,
                tokenCount: r.tokenCount,
                truncation: r.truncation,
                lines: r.lines,
              },
              null,
              2,
            ) + '\n',
          );
        } else {
          process.stdout.write(r.text.endsWith('\n') ? r.text : `${r.text}\n`);
        }
      } finally {
        ds.close();
      }
    });
}
