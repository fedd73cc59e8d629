import { availableParallelism } from 'node:os';
import type { CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { restoreRecorded } from '../runs/recorded-runs.js';
import { REGISTER_OPTION, registerChoice } from './commands.js';
import type { OnConflict, RestoreReport } from '../restore/restore-report.js';
import type { Io } from './io.js';
import { progressReporter } from './progress.js';
import { parseWholeNumber } from './commands.js';

/** The report as lines for a person: one per patient, then a summary. */
export function formatReport(r: RestoreReport): string[] {
  // The id, then the patient as printed on the paper (name and MRN) where the run's manifest carries them.
  const who = (p: RestoreReport['patients'][number]): string => p.patientId +
    (p.name === undefined && p.mrn === undefined ? '' : `  ${[p.name, p.mrn === undefined ? undefined : `MRN ${p.mrn}`].filter((x) => x !== undefined).join(', ')}`);
  const lines = r.patients.map((p) => `${p.status.padEnd(15)} ${who(p)}  ${p.detail}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  if (r.rejectedTexts > 0) lines.push(`note: ${r.rejectedTexts} scanned text${r.rejectedTexts === 1 ? ' was' : 's were'} not readable paperchart codes`);
  const c = r.counts;
  lines.push(`restore${r.dryRun ? ' (dry run, nothing written)' : ''}: ${c.restored} restored, ${c['already-current']} already current, ` +
    `${c['kept-newer']} kept newer, ${c['kept-unsigned'] > 0 ? `${c['kept-unsigned']} kept over unsigned paper, ` : ''}${c.incomplete} incomplete, ${c.refused} refused, ${c.missing} missing` +
    (r.dryRun ? '' : ` → ${r.store}`));
  return lines;
}

interface RestoreArgs {
  db: string; inputs: string[]; pubkey?: string; 'trust-unsigned': boolean; 'decrypt-key'?: string;
  'on-conflict': string; 'dry-run': boolean; json: boolean; jobs: string; register?: string; 'passphrase-file'?: string;
}

export const restoreCommand = (io: Io, readStdin?: () => Promise<string>): CommandModule<object, RestoreArgs> => ({
  command: 'restore <inputs..>',
  describe: 'Restore a records store from scanned binder pages, images or code texts',
  builder: (y) => y
    // Without this yargs drops a lone "-" (standard input) from the positionals.
    .parserConfiguration({ 'unknown-options-as-args': true })
    .positional('inputs', { type: 'string', array: true, describe: 'PDF, PNG/JPEG/TIFF, folder, text file of codes, or - for stdin' })
    .option('db', { type: 'string', demandOption: true, describe: 'store to write (created if it does not exist)' })
    .option('pubkey', { type: 'string', describe: 'clinic public key (Ed25519 PEM) to check the signatures' })
    .option('trust-unsigned', { type: 'boolean', default: false, describe: 'accept records whose signature is absent or unchecked' })
    .option('decrypt-key', { type: 'string', describe: '32-byte record key file (hex) for encrypted binders' })
    .option('on-conflict', { type: 'string', default: 'keep', choices: ['keep', 'replace', 'fail'],
      describe: 'a patient already in the store with a different record: keep the newer, replace with the paper, or fail' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'do everything but write the store' })
    .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
    .option('jobs', { type: 'string', default: String(availableParallelism()), describe: 'threads to read a PDF\'s pages on (default: the number of cores)' })
    .option('register', REGISTER_OPTION)
    .option('passphrase-file', { type: 'string', describe: 'the passphrase of an off-site archive (print --archive): the first line of this file' })
    .example('$0 restore --db restored.sqlite --pubkey keys/paperchart-signing.pub scans/', '')
    .example('$0 restore --db clinic.sqlite --trust-unsigned - < codes.txt', '') as never,
  handler: async (a) => {
    const inputs = (a.inputs ?? []).map(String);
    if (inputs.length === 0) throw new UsageError('name at least one input to restore from');
    const unknown = inputs.find((i) => i.startsWith('--'));
    if (unknown !== undefined) throw new UsageError(`unknown option ${unknown}`);
    const jobs = parseWholeNumber('jobs', a.jobs, 1, 64);
    const pages = progressReporter(io, 'restore', 'pages and images');
    const records = progressReporter(io, 'restore', 'records');
    const { report, failure } = await restoreRecorded({
      storePath: a.db, inputs, jobs, onConflict: a['on-conflict'] as OnConflict, dryRun: a['dry-run'], trustUnsigned: a['trust-unsigned'],
      ...(a.pubkey !== undefined ? { publicKeyFile: a.pubkey } : {}), ...(a['decrypt-key'] !== undefined ? { decryptKeyFile: a['decrypt-key'] } : {}),
      ...(a['passphrase-file'] !== undefined ? { passphraseFile: a['passphrase-file'] } : {}),
      ...(readStdin ? { readStdin } : {}),
      // A bar on a terminal never mixes into --json on stdout; plain lines in a log would only add noise to it.
      onProgress: (done, total, phase) => { if (io.isTTY || !a.json) (phase === 'read' ? pages : records)(done, total, phase); },
    }, registerChoice(io, a.register));
    if (a.json) io.out(JSON.stringify(report, null, 2));
    else for (const line of formatReport(report)) io.out(line);
    if (failure) throw failure;
  },
});
