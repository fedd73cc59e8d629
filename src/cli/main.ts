import yargs from 'yargs';
import { PaperchartError, UsageError } from '../errors.js';
import type { Io } from './io.js';
import { printCommand, sampleCommand, exportCommand, migrateCommand, keygenCommand, verifyCommand } from './commands.js';
import { restoreCommand } from './restore-command.js';

/**
 * Runs one command line. The only place that maps failures to exit codes:
 * 0 success, 1 usage error, 2 bad input, 3 a restore left patients out (PaperchartError.exitCode);
 * anything else is a bug and throws.
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const parser = yargs()
    .scriptName('paperchart')
    .usage('$0 <command> [options]\n\nPrints a clinic\'s records store as a paper binder for outages.')
    .command(sampleCommand(io))
    .command(printCommand(io))
    .command(exportCommand(io))
    .command(migrateCommand(io))
    .command(keygenCommand(io))
    .command(restoreCommand(io))
    .command(verifyCommand(io))
    .demandCommand(1, 'name a command: sample, print, export, migrate, keygen, restore or verify')
    .strict()
    .help()
    .version(false)
    .wrap(Math.min(100, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
      throw new UsageError(message);
    });
  let helpShown = false;
  try {
    await parser.parseAsync([...argv], {}, (_err: unknown, _argv: unknown, output: string) => {
      if (output) { helpShown = true; io.out(output); }
    });
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      if (!helpShown) io.err(`paperchart: ${e.message}\n→ ${e.remedy}`);
      return 1;
    }
    if (e instanceof PaperchartError) {
      io.err(`paperchart: ${e.message}\n→ ${e.remedy}`);
      return e.exitCode;
    }
    throw e;
  }
}
