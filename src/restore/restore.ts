// The restore as one library call: inputs (scans, images, code texts) → a store and a report.
import { NoCodesError, RestoreIncompleteError, type PaperchartError } from '../errors.js';
import { readEncryptKeyFile, readPublicKeyFile } from '../keys/key-files.js';
import { KeyCheck } from './key-check.js';
import { isArchive, readArchive, readPassphraseFile } from '../archive/archive-file.js';
import { checkRestoreTarget, restoreRecords } from './restore-records.js';
import type { OnConflict, RestoreReport } from './restore-report.js';

export interface RestoreOptions {
  /** The store to write: an existing paperchart store, or a new file in a folder that may be written. */
  storePath: string;
  /** PDFs, PNG/JPEG/TIFF images, folders of them, text files of codes, or "-" for standard input. */
  inputs: readonly string[];
  /** The clinic's public key file (Ed25519 PEM), to check the signatures. */
  publicKeyFile?: string;
  /** Accept records whose signature is absent or unchecked. */
  trustUnsigned?: boolean;
  /** The record key file (32 bytes, hex) of an encrypted binder; it also opens an archive written under the record key. */
  decryptKeyFile?: string;
  /** The passphrase file of an off-site archive (FORMAT §16) among the inputs. */
  passphraseFile?: string;
  onConflict: OnConflict;
  dryRun: boolean;
  /** Threads a PDF's pages are read on (default 1). */
  jobs?: number;
  /** Reads standard input for "-". */
  readStdin?: () => Promise<string>;
  /** Pages and images read, then records decoded and written: done of total, at least at each phase's start and end. */
  onProgress?: (done: number, total: number, phase: 'read' | 'decode' | 'write') => void;
}

export interface RestoreResult {
  report: RestoreReport;
  /** Set when the restore is not whole: no code at all, or patients incomplete, refused or missing. Raise it once the report is shown. */
  failure?: PaperchartError;
}

/** The texts, each let go once taken: decoding keeps a copy of what it needs, 230 MB of text for 25,000 patients. */
function* drained(collected: { text: string }[]): Generator<string> {
  for (let i = 0; i < collected.length; i++) { const { text } = collected[i]!; collected[i] = { text: '' }; yield text; }
}

/**
 * Reads the inputs, names a key problem from the first codes read, and restores every record it can
 * into the store (restoreRecords), or nothing in a dry run. Checks the keys and the store before any
 * scan is read: a --db in a folder that does not exist, or a file that is no store, fails in a second.
 * @throws KeyError, KeyProblemError, RestoreTargetError, NoCodesError (no code read at all), input errors
 *   (UnknownInputError, EmptyInputError, OversizedImageError...), and what restoreRecords throws
 */
export async function restore(o: RestoreOptions): Promise<RestoreResult> {
  const publicKey = o.publicKeyFile === undefined ? undefined : readPublicKeyFile(o.publicKeyFile);
  const decryptKey = o.decryptKeyFile === undefined ? undefined : readEncryptKeyFile(o.decryptKeyFile);
  checkRestoreTarget(o.storePath);
  let pagesRead = 0;
  // Loaded here: pdfjs and the zxing wasm take about a second, which other commands need not pay.
  const { collectTexts, noneSkipped } = await import('./collect-texts.js');
  const skipped = noneSkipped();
  // A key that does not fit the codes is named from the first page(s), not after all of them.
  const keys = new KeyCheck({ ...(publicKey ? { publicKey, publicKeyFile: o.publicKeyFile! } : {}), trustUnsigned: o.trustUnsigned === true,
    ...(decryptKey ? { decryptKey, decryptKeyFile: o.decryptKeyFile! } : {}) });
  // Off-site archives (FORMAT §16) are opened and authenticated whole first: a wrong passphrase or an altered file stops here.
  const archives = o.inputs.filter((i) => i !== '-' && isArchive(i));
  const fromArchives = archives.flatMap((path) => readArchive(path, {
    ...(o.passphraseFile !== undefined ? { passphrase: readPassphraseFile(o.passphraseFile, false) } : {}), ...(decryptKey ? { recordKey: decryptKey } : {}),
  }).texts.map((text) => ({ text, source: path })));
  if (fromArchives.length) keys.add(fromArchives.map((t) => t.text));
  const paper = o.inputs.filter((i) => !archives.includes(i));
  const collected = paper.length === 0 ? [] : await collectTexts([...paper], { ...(o.readStdin ? { readStdin: o.readStdin } : {}), skipped, jobs: o.jobs ?? 1,
    onTexts: (texts) => keys.add(texts.map((t) => t.text)),
    onProgress: (_source, _page, count) => {
      pagesRead = count.done;
      o.onProgress?.(count.done, count.total, 'read');
    } });
  for (const t of fromArchives) collected.push(t);
  if (collected.length === 0) throw skipped.refused[0] ?? new NoCodesError(o.inputs, pagesRead, skipped.lines);
  keys.finish();
  const report = await restoreRecords({
    storePath: o.storePath, texts: drained(collected), onConflict: o.onConflict, dryRun: o.dryRun,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(publicKey ? { publicKey } : {}), ...(o.trustUnsigned ? { trustUnsigned: true } : {}), ...(decryptKey ? { decryptKey } : {}),
  });
  // Lines and pages not read as codes are counted where they were met, never kept.
  report.rejectedTexts += skipped.lines;
  for (const e of skipped.refused) report.notes.push(e.message);
  if (skipped.refusedCount > skipped.refused.length) report.notes.push(`${skipped.refusedCount - skipped.refused.length} more pages or images refused as too large`);
  const c = report.counts;
  const failure = report.patients.length === 0 && report.manifests.length === 0 ? new NoCodesError(o.inputs, pagesRead, report.rejectedTexts)
    : c.incomplete + c.refused + c.missing > 0 ? new RestoreIncompleteError(c.incomplete, c.refused, c.missing) : undefined;
  return { report, ...(failure ? { failure } : {}) };
}
