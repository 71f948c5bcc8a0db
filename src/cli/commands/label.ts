import { basename, extname } from 'node:path';
import { Command } from 'commander';
import { countAcesPredicates, type PredicateCount } from '../../aces/countAcesPredicates.ts';
import { exportAces } from '../../aces/exportAces.ts';
import { labelWithAces, type AcesTask } from '../../aces/labelWithAces.ts';
import { medsCodeCounts } from '../../aces/medsCodeCounts.ts';
import { loadAcesConfig } from '../../aces/parseAcesConfig.ts';
import { UsageError } from '../../errors.ts';
import { openMedsDataset } from '../../meds/MedsDataset.ts';
import { importLabels } from '../../tasks/importLabels.ts';
import { labelDataset, type LabeledDataset, type TaskLabels } from '../../tasks/labelDataset.ts';
import { loadTaskSpecs } from '../../tasks/loadTaskSpecs.ts';
import { selectTasks } from '../../tasks/selectTasks.ts';
import { taskLabelsFromImport } from '../../tasks/taskLabelsFromImport.ts';
import { writeLabelOutputs, type LabelRunSummary } from '../../artifacts/labelsDir.ts';
import { SPLITS } from '../../types.ts';
import { parseInteger } from '../parseOptions.ts';
import { checkMemory } from '../../memoryBudget.ts';
import { parseByteSize } from '../../server/parseByteSize.ts';
import { labelPassGuard } from '../../tasks/labelMemory.ts';
import { progressBar } from '../progressBar.ts';
import { makeTable } from '../table.ts';

interface LabelOptions {
  tasks?: string;
  out?: string;
  aces: string[];
  predicates?: string;
  exportAces?: string;
  seed: number;
  taskDir: string[];
  import: string[];
  json: boolean;
  maxMemory?: number;
}

/**
 * `ehr-embed label <meds-dir> --tasks <names>|all --out <labels-dir> [--seed N]`, or with
 * `--aces <config.yaml>... [--predicates <file>]` ACES task configs, or `--export-aces <task>`
 * (print a built-in task as an ACES config; no dataset).
 */
export function labelCommand(): Command {
  return new Command('label')
    .description(
      'Label a MEDS dataset for prediction tasks (SPEC 4) and ACES task configs (--aces, docs/aces.md): writes <out>/<task>.parquet (MEDS label files), summary.json (counts per split, notes) and shots.json (few-shot samples, SPEC 5), and prints labels and positives per split.',
    )
    .argument('[meds-dir]', 'MEDS dataset directory (not needed with --export-aces)')
    .option('--out <labels-dir>', 'directory for the label files, summary.json and shots.json (required unless --export-aces)')
    .option(
      '--tasks <names>',
      'comma-separated task names, "all", or "none" (only --import / --aces); default "all", or "none" when --aces is given',
    )
    .option('--aces <configs...>', 'ACES task configs (YAML, docs/aces.md): one label file each, named after the config file', [])
    .option(
      '--predicates <file>',
      'ACES predicates file whose entries replace the configs\' (fills MEDS-DEV "???" placeholders, e.g. MEDS-DEV datasets/MIMIC-IV/predicates.yaml)',
    )
    .option('--export-aces <task>', 'print a built-in task as an ACES config (YAML) and exit; says why when ACES cannot express it')
    .option(
      '--seed <n>',
      'seed of the hash split (for subjects without a split) and of the few-shot samples',
      (v) => parseInteger(v, '--seed'),
      0,
    )
    .option(
      '--task-dir <dirs...>',
      'more task spec directories or files (*.json); a task there replaces a built-in one of the same name',
      [],
    )
    .option(
      '--import <files...>',
      'existing labels to include: a MEDS label .parquet or an EHRSHOT labeled_patients .csv, as [name=]path (name defaults to the file name)',
      [],
    )
    .option('--json', 'print summary.json instead of tables', false)
    .option(
      '--max-memory <size>',
      'memory this run may use, e.g. 8gb (default: physical memory or the container limit); the run stops early in its pass over the subjects when the labels it projects would not fit',
      (v) => parseByteSize(v, '--max-memory'),
    )
    .action(async (dir: string | undefined, opts: LabelOptions) => {
      const registry = loadTaskSpecs(opts.taskDir);
      if (opts.exportAces !== undefined) {
        const spec = selectTasks(registry, opts.exportAces)[0];
        if (!spec || opts.exportAces.includes(',')) throw new UsageError('--export-aces takes one task name', { field: '--export-aces' });
        process.stdout.write(exportAces(spec));
        return;
      }
      if (dir === undefined) throw new UsageError('give the MEDS dataset directory', { field: '<meds-dir>' });
      if (opts.out === undefined) throw new UsageError('give --out <labels-dir>', { field: '--out' });
      if (opts.predicates !== undefined && opts.aces.length === 0)
        throw new UsageError('--predicates applies to --aces configs; give --aces <config.yaml>', { field: '--predicates' });
      const taskList = (opts.tasks ?? (opts.aces.length > 0 ? 'none' : 'all')).trim();
      const specs = taskList === 'none' ? [] : selectTasks(registry, taskList);
      const acesTasks: AcesTask[] = opts.aces.map((file) => ({ name: taskNameOf(file), config: loadAcesConfig(file, opts.predicates) }));
      const imports = opts.import.map(parseImport);
      const names = new Set(specs.map((s) => s.name));
      for (const t of acesTasks) {
        if (names.has(t.name))
          throw new UsageError(
            `ACES config "${t.config.file}" gives task name "${t.name}", already taken by another task; rename the file`,
            { file: t.config.file },
          );
        names.add(t.name);
      }
      for (const imp of imports) {
        if (names.has(imp.name))
          throw new UsageError(`imported task "${imp.name}" has the name of a selected task; name it with --import <name>=<path>`, {
            file: imp.path,
          });
        names.add(imp.name);
      }
      const ds = await openMedsDataset(dir);
      let tasks: TaskLabels[];
      let result: LabeledDataset;
      try {
        const bar = progressBar('label', 'subjects');
        try {
          const names = specs.map((s) => s.name);
          result = await labelDataset(ds, specs, {
            seed: opts.seed,
            onProgress: (done, total) => bar.update(done, total),
            onLabels: labelPassGuard(names, (needs) =>
              checkMemory('label', needs, {
                ...(opts.maxMemory !== undefined ? { maxMemory: opts.maxMemory } : {}),
                advice:
                  'Label fewer tasks per run (--tasks; each run writes its own labels directory, evaluated on its own), or run on a machine with more memory; --max-memory sets the bound when the default is wrong.',
              }),
            ),
          });
        } finally {
          bar.stop();
        }
        tasks = [...result.tasks];
        if (acesTasks.length > 0) {
          const counts = medsCodeCounts(ds);
          const warnings = new Map<string, string[]>();
          for (const t of acesTasks) {
            const c = await countAcesPredicates(t.config, counts);
            const w = c.flatMap((p) => (p.warning === null ? [] : [p.warning]));
            warnings.set(t.name, w);
            if (!opts.json) process.stderr.write(formatPredicateCounts(t.name, c));
          }
          const bar2 = progressBar('aces', 'subjects');
          let aces: LabeledDataset;
          try {
            aces = await labelWithAces(ds, acesTasks, { seed: opts.seed, onProgress: (done, total) => bar2.update(done, total) });
          } finally {
            bar2.stop();
          }
          for (const t of aces.tasks)
            tasks.push({ ...t, summary: { ...t.summary, notes: [...(warnings.get(t.name) ?? []), ...t.summary.notes] } });
        }
        for (const imp of imports) {
          const { labels } = await importLabels(imp.path);
          tasks.push(
            taskLabelsFromImport(imp.name, labels, result.splits, {
              spec: registry.get(imp.name),
              subjectIds: result.subjectIds,
              source: imp.path,
              presentSplits: new Set(Object.keys(result.subjectsPerSplit)),
            }),
          );
        }
      } finally {
        ds.close();
      }
      const out = opts.out;
      const { summary } = await writeLabelOutputs(out, tasks, { ...result, dataset: dir, seed: opts.seed });
      process.stdout.write(opts.json ? JSON.stringify(summary, null, 2) + '\n' : formatLabelSummary(summary, out));
    });
}

/** The label file name of an ACES config: its file name, lower-cased, other characters as "_". */
function taskNameOf(file: string): string {
  return (
    basename(file, extname(file))
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '_')
      .replace(/^[^a-z0-9]+/, '') || 'aces_task'
  );
}

/** Rows each predicate matches, then the warnings (predicates that match nothing, with the closest codes). */
function formatPredicateCounts(task: string, counts: readonly PredicateCount[]): string {
  const t = makeTable(['predicate', 'kind', 'rows', 'codes']);
  for (const c of counts) t.push([c.name, c.kind, c.rows === null ? '-' : String(c.rows), c.codes === null ? '-' : String(c.codes)]);
  const warnings = counts.flatMap((c) => (c.warning === null ? [] : [`  warning: ${c.warning}`]));
  return [`ACES task ${task}: predicates matched before extraction`, t.toString(), ...warnings].join('\n') + '\n';
}

/** `name=path` or `path` (name from the file name). */
function parseImport(arg: string): { name: string; path: string } {
  const eq = arg.indexOf('=');
  const named = eq > 0 && /^[a-z0-9][a-z0-9_-]*$/.test(arg.slice(0, eq));
  const path = named ? arg.slice(eq + 1) : arg;
  const name = named
    ? arg.slice(0, eq)
    : basename(path, extname(path))
        .toLowerCase()
        .replace(/[^a-z0-9_-]+/g, '_');
  return { name, path };
}

/** Render a label run as a table of labels and positives per split, then the notes. */
export function formatLabelSummary(s: LabelRunSummary, outDir: string): string {
  const extra = [...new Set(Object.values(s.tasks).flatMap((t) => Object.keys(t.splits)))].filter(
    (x) => !(SPLITS as readonly string[]).includes(x),
  );
  const splits = [...SPLITS, ...extra];
  const lines: string[] = [];
  const perSplit = splits.map((x) => `${x} ${s.subjectsPerSplit[x] ?? 0}`).join(', ');
  lines.push(
    `Labeled ${s.subjects} subjects (${perSplit}; splits from ${s.splitSource === 'subject_splits' ? 'metadata/subject_splits.parquet' : s.splitSource === 'hash' ? `the hash split, seed ${s.seed}` : `subject_splits.parquet and the hash split, seed ${s.seed}`}).`,
  );
  const t = makeTable(['task', 'group', ...splits.flatMap((x) => [`${x} labels`, 'positives']), 'status']);
  for (const [name, task] of Object.entries(s.tasks)) {
    t.push([
      name,
      task.group,
      ...splits.flatMap((x) => [String(task.splits[x]?.labels ?? 0), String(task.splits[x]?.positives ?? 0)]),
      task.status === 'ok' ? 'ok' : task.status === 'no_labels' ? 'NO LABELS' : 'incomplete',
    ]);
  }
  lines.push(t.toString());
  const empty = splits.filter((x) => (s.subjectsPerSplit[x] ?? 0) === 0);
  const notes = [
    ...empty.map((x) => `  (dataset): no subjects in ${x}, so no task has labels there`),
    ...Object.entries(s.tasks).flatMap(([name, task]) => task.notes.map((n) => `  ${name}: ${n}`)),
  ];
  if (notes.length > 0) lines.push('Notes:', ...notes);
  lines.push(`Wrote ${Object.keys(s.tasks).length} label files, summary.json and shots.json to ${outDir}`);
  return lines.join('\n') + '\n';
}
