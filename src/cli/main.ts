/**
 * The `ehr-embed` command line: one place that builds the commands and turns errors into exit
 * codes (user errors: message only, exit 2; bugs: stack, exit 1).
 */
import { Command, CommanderError } from 'commander';
import { isUsageError } from '../errors.ts';
import { PACKAGE_VERSION } from '../version.ts';
import { benchmarkCommand } from './commands/benchmark.ts';
import { cacheCommand } from './commands/cache.ts';
import { checkEmbedderCommand } from './commands/checkEmbedder.ts';
import { demoCommand } from './commands/demo.ts';
import { convertCommand } from './commands/convert.ts';
import { embedCommand } from './commands/embed.ts';
import { evaluateCommand } from './commands/evaluate.ts';
import { labelCommand } from './commands/label.ts';
import { mergeFeaturesCommand } from './commands/mergeFeatures.ts';
import { serializeCommand } from './commands/serialize.ts';
import { serveCommand } from './commands/serve.ts';
import { statsCommand } from './commands/stats.ts';
import { trainCommand } from './commands/train.ts';
import { vocabAuditCommand } from './commands/vocabAudit.ts';

/** Build the program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('ehr-embed')
    .description(
      'Turn EHRs (MEDS, FHIR, OMOP, Synthea) into text for LLM embedders, embed it, and evaluate few-shot clinical prediction heads.',
    )
    .version(PACKAGE_VERSION, '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .exitOverride();
  program.addCommand(demoCommand());
  program.addCommand(benchmarkCommand());
  program.addCommand(convertCommand());
  program.addCommand(labelCommand());
  program.addCommand(statsCommand());
  program.addCommand(vocabAuditCommand());
  program.addCommand(serializeCommand());
  program.addCommand(embedCommand());
  program.addCommand(mergeFeaturesCommand());
  program.addCommand(evaluateCommand());
  program.addCommand(checkEmbedderCommand());
  program.addCommand(cacheCommand());
  program.addCommand(trainCommand());
  program.addCommand(serveCommand());
  // One error prefix everywhere: commander's own messages start with "error:", ours with "ehr-embed: error:".
  const output = { outputError: (str: string, write: (s: string) => void) => write(str.startsWith('error:') ? `ehr-embed: ${str}` : str) };
  program.configureOutput(output);
  for (const cmd of program.commands) {
    cmd.exitOverride().showHelpAfterError('(run with --help for usage)').configureOutput(output);
    for (const sub of cmd.commands) sub.exitOverride().showHelpAfterError('(run with --help for usage)').configureOutput(output);
  }
  return program;
}

/**
 * Run the CLI with `argv` (as in `process.argv`). Resolves to the exit code instead of exiting,
 * so tests can call it in-process.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    // A command may report a non-error failure (a failed check) through process.exitCode.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version requests end here too, with exit code 0; commander already printed.
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      return 2;
    }
    if (isUsageError(err)) {
      process.stderr.write(`ehr-embed: error: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`ehr-embed: internal error (please report): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
