import type { CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { readEncryptKeyFile, readPublicKeyFile } from '../keys/key-files.js';
import { checkRestoreTarget, restoreRecords, type OnConflict, type RestoreReport } from '../restore/restore-records.js';
import { NoCodesError, RestoreIncompleteError } from '../errors.js';
import type { Io } from './io.js';
import { progressReporter } from './progress.js';
import { KeyCheck } from '../restore/key-check.js';

/** The report as lines for a person: one per patient, then a summary. */
export function formatReport(r: RestoreReport): string[] {
  const lines = r.patients.map((p) => `${p.status.padEnd(15)} ${p.patientId}  ${p.detail}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  if (r.rejectedTexts > 0) lines.push(`note: ${r.rejectedTexts} scanned text${r.rejectedTexts === 1 ? ' was' : 's were'} not readable paperchart codes`);
  const c = r.counts;
  lines.push(`restore${r.dryRun ? ' (dry run, nothing written)' : ''}: ${c.restored} restored, ${c['already-current']} already current, ` +
    `${c['kept-newer']} kept newer, ${c['kept-unsigned'] > 0 ? `${c['kept-unsigned']} kept over unsigned paper, ` : ''}${c.incomplete} incomplete, ${c.refused} refused, ${c.missing} missing` +
    (r.dryRun ? '' : ` → ${r.store}`));
  return lines;
}

/** The texts, each let go once taken: decoding keeps a copy of what it needs, 230 MB of text for 25,000 patients. */
function* drained(collected: { text: string }[]): Generator<string> {
  for (let i = 0; i < collected.length; i++) { const { text } = collected[i]!; collected[i] = { text: '' }; yield text; }
}

interface RestoreArgs {
  db: string; inputs: string[]; pubkey?: string; 'trust-unsigned': boolean; 'decrypt-key'?: string;
  'on-conflict': string; 'dry-run': boolean; json: boolean;
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
    .example('$0 restore --db restored.sqlite --pubkey keys/paperchart-signing.pub scans/', '')
    .example('$0 restore --db clinic.sqlite --trust-unsigned - < codes.txt', '') as never,
  handler: async (a) => {
    const inputs = (a.inputs ?? []).map(String);
    if (inputs.length === 0) throw new UsageError('name at least one input to restore from');
    const unknown = inputs.find((i) => i.startsWith('--'));
    if (unknown !== undefined) throw new UsageError(`unknown option ${unknown}`);
    const onConflict = a['on-conflict'] as OnConflict;
    const publicKey = a.pubkey === undefined ? undefined : readPublicKeyFile(a.pubkey);
    const decryptKey = a['decrypt-key'] === undefined ? undefined : readEncryptKeyFile(a['decrypt-key']);
    // Before any scan is read: a --db in a folder that does not exist, or a file that is no store, fails in a second.
    checkRestoreTarget(a.db);
    const progress = progressReporter(io, 'restore', 'pages and images');
    let pagesRead = 0;
    // Loaded here: pdfjs and the zxing wasm take about a second, which other commands need not pay.
    const { collectTexts, noneSkipped } = await import('../restore/collect-texts.js');
    const skipped = noneSkipped();
    // A key that does not fit the codes is named from the first page(s), not after all of them.
    const keys = new KeyCheck({ ...(publicKey ? { publicKey, publicKeyFile: a.pubkey! } : {}), trustUnsigned: a['trust-unsigned'],
      ...(decryptKey ? { decryptKey, decryptKeyFile: a['decrypt-key']! } : {}) });
    const collected = await collectTexts(inputs, { ...(readStdin ? { readStdin } : {}), skipped,
      onTexts: (texts) => keys.add(texts.map((t) => t.text)),
      onProgress: (_source, _page, count) => {
        pagesRead = count.done;
        // A bar on a terminal never mixes into --json on stdout; plain lines in a log would only add noise to it.
        if (io.isTTY || !a.json) progress(count.done, count.total, 'read');
      } });
    if (collected.length === 0) throw skipped.refused[0] ?? new NoCodesError(inputs, pagesRead, skipped.lines);
    keys.finish();
    const recordProgress = progressReporter(io, 'restore', 'records');
    const report = await restoreRecords({
      storePath: a.db, texts: drained(collected), onConflict, dryRun: a['dry-run'],
      onProgress: (done, total, phase) => { if (io.isTTY || !a.json) recordProgress(done, total, phase); },
      ...(publicKey ? { publicKey } : {}), ...(a['trust-unsigned'] ? { trustUnsigned: true } : {}), ...(decryptKey ? { decryptKey } : {}),
    });
    // Lines and pages not read as codes are counted where they were met, never kept.
    report.rejectedTexts += skipped.lines;
    for (const e of skipped.refused) report.notes.push(e.message);
    if (skipped.refusedCount > skipped.refused.length) report.notes.push(`${skipped.refusedCount - skipped.refused.length} more pages or images refused as too large`);
    if (a.json) io.out(JSON.stringify(report, null, 2));
    else for (const line of formatReport(report)) io.out(line);
    if (report.patients.length === 0 && report.manifests.length === 0) throw new NoCodesError(inputs, pagesRead, report.rejectedTexts);
    const c = report.counts;
    if (c.incomplete + c.refused + c.missing > 0) throw new RestoreIncompleteError(c.incomplete, c.refused, c.missing);
  },
});
