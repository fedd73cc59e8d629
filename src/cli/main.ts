import yargs from 'yargs';
import { EXIT, PaperchartError, UsageError } from '../errors.js';
import type { Io } from './io.js';
import { printCommand, sampleCommand, exportCommand, migrateCommand, keygenCommand, verifyCommand, stationCommand, importCommand } from './commands.js';
import { restoreCommand } from './restore-command.js';
import { runsCommand } from './runs-command.js';

/**
 * Runs one command line and returns its exit code: 0, or the failure's (EXIT in errors.ts).
 * @throws anything that is not a PaperchartError: a bug, whose stack trace should show
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const parser = yargs()
    .scriptName('paperchart')
    .usage('$0 <command> [options]\n\nPrints a clinic\'s records store as a paper binder for outages.')
    .command(importCommand(io))
    .command(sampleCommand(io))
    .command(printCommand(io))
    .command(exportCommand(io))
    .command(migrateCommand(io))
    .command(keygenCommand(io))
    .command(restoreCommand(io))
    .command(verifyCommand(io))
    .command(stationCommand(io))
    .command(runsCommand(io))
    .demandCommand(1, 'name a command: sample, print, export, migrate, keygen, restore, verify, runs, import or station')
    .strict()
    .help()
    .version(false)
    .wrap(Math.min(100, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
      throw new UsageError(message);
    });
  skipHelpCache(parser);
  let helpShown = false;
  try {
    await parser.parseAsync([...argv], {}, (_err: unknown, _argv: unknown, output: string) => {
      if (output) { helpShown = true; io.out(output); }
    });
    return EXIT.ok;
  } catch (e) {
    return reportFailure(e, io, helpShown);
  }
}

/**
 * yargs lays out a command's whole help text before running it, to have it ready should the command fail: 0.1 s of
 * CPU a print (string widths, wrapping), spent while the drawing thread loads on the other core. Here a failure is
 * reported by reportFailure, and help that is shown is laid out then; yargs has no option for it, hence its internals.
 */
function skipHelpCache(parser: object): void {
  const internal = parser as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };
  const usage = internal.getInternalMethods?.().getUsageInstance?.();
  if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => undefined;
}

/**
 * The one place a failure becomes an exit code: `paperchart: MESSAGE`, then
 * `→ REMEDY`, and the error's own exit code. A usage error that yargs answered
 * with the help text is not repeated. Anything else is a bug and is rethrown.
 */
export function reportFailure(e: unknown, io: Io, helpShown = false): number {
  if (!(e instanceof PaperchartError)) throw e;
  if (!(e instanceof UsageError && helpShown)) io.err(`paperchart: ${e.message}\n→ ${e.remedy}`);
  return e.exitCode;
}
