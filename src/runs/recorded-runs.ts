// Print, verify and restore as the command line runs them: each recorded in the run register, begun before it
// starts and finished with its outcome, so a run that fails or is killed never looks complete there.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, rmSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { PaperchartError } from '../errors.js';
import { onInterrupt } from '../_temporary-file.js';
import { fingerprintPublicKey } from '../codec/keys.js';
import { openStore } from '../store/open-store.js';
import { SCHEMA_VERSION } from '../store/schema.js';
import { printAndVerifyBinder, type VerifiedPrintHooks, type VerifiedPrintResult } from '../print/verified-print.js';
import type { PrintOptions } from '../print/threads/drawing-thread.js';
import { printedAtOfRunId, runIdFor } from '../codec/run-id.js';
import type { CoverRun } from '../layout/front-matter.js';
import type { PatientSelection } from '../print/patient-selection.js';
import type { VerifyOptions, VerifyReport } from '../restore/verify-binder.js';
import { restore, type RestoreOptions, type RestoreResult } from '../restore/restore.js';
import { checkRestoreTarget } from '../restore/restore-records.js';
import { registerPathFor, RunRegister, type RunEnd, type RunFile, type RunKind, type RunPatient, type RunRow, type RunStart } from './run-register.js';
import { planSupplement } from './supplement-chain.js';

export interface RegisterChoice {
  /** The register file; default: beside the store (registerPathFor). */
  registerPath?: string;
  /** Called when the run's end could not be recorded: the run's own outcome stands, the register says "running". */
  onWarning?: (message: string) => void;
}

/** The operating-system user running paperchart: who printed, for an audit. */
export function osUser(): string {
  try { return userInfo().username; } catch { return process.env.USER ?? process.env.USERNAME ?? 'unknown'; }
}

/** SHA-256 of a file, read in chunks (a 100,000-patient binder is about 600 MB). */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const now = (): string => new Date().toISOString();

/**
 * Runs `work` as one run of the register: a row begun (outcome running) before it, finished complete or failed
 * after it, with what `ended` reads from its result. A failure is recorded with its code and message, then rethrown.
 * @throws RegisterError when the register cannot be opened or the run begun (nothing else has run); what `work` throws
 */
async function recorded<T>(choice: RegisterChoice, storePath: string,
  begun: Omit<RunStart, 'store_path' | 'started_at'> | ((register: RunRegister) => Omit<RunStart, 'store_path' | 'started_at'>),
  work: (register: RunRegister) => Promise<T>, ended: (result: T) => Promise<{ end: RunEnd; failed?: boolean; placed?: RunPatient[]; files?: RunFile[] }>): Promise<T> {
  // A store that is missing or not ours is named as before, with no register made beside it.
  if (typeof begun !== 'function' && begun.kind === 'restore') checkRestoreTarget(storePath); else openStore(storePath).close();
  const path = choice.registerPath ?? registerPathFor(storePath);
  const existed = existsSync(path);
  const register = RunRegister.open(path);
  try {
    let start: Omit<RunStart, 'store_path' | 'started_at'>;
    try {
      start = typeof begun === 'function' ? begun(register) : begun;
    } catch (e) {
      // Refused before the run began (a --since with no run to follow): a register made only now is removed, not left empty.
      if (!existed) { register.close(); for (const f of [path, `${path}-journal`, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true }); }
      throw e;
    }
    const seq = register.begin({ ...start, store_path: resolve(storePath), started_at: now() }, osUser());
    const finish = (outcome: 'complete' | 'failed', end: RunEnd): void => {
      try { register.finish(seq, outcome, now(), end); } catch (e) { choice.onWarning?.(`run ${start.run_id} not recorded as ${outcome}: ${(e as Error).message}`); }
    };
    // Ctrl-C, SIGTERM or SIGHUP: bin/paperchart.js exits at once; the row says so rather than staying "running".
    const forget = onInterrupt((signal) => register.finish(seq, 'interrupted', now(), { detail: `interrupted by ${signal}; no output was written` }));
    let result: T;
    try {
      result = await work(register);
    } catch (e) {
      forget();
      finish('failed', { detail: e instanceof PaperchartError ? `${e.code}: ${e.message}` : String((e as Error).message ?? e) });
      throw e;
    }
    const { end, failed, placed, files } = await ended(result);
    forget();
    // Each patient's pages, for a later supplement's replace-and-shred sheet; without them it sends the person to the index.
    if (placed && !failed) try { register.recordPatients(seq, placed); } catch (e) { choice.onWarning?.(`run ${start.run_id}: patients' pages not recorded: ${(e as Error).message}`); }
    if (files && !failed) try { register.recordFiles(seq, files); } catch (e) { choice.onWarning?.(`run ${start.run_id}: its files not recorded: ${(e as Error).message}`); }
    finish(failed ? 'failed' : 'complete', end);
    return result;
  } finally {
    register.close();
  }
}

/**
 * Prints (printAndVerifyBinder) as a recorded run. A full print's cover names the previous complete full print
 * of the same store, which it supersedes.
 * @throws as printAndVerifyBinder; RegisterError before anything is printed
 */
export async function printRecorded(options: PrintOptions, hooks: VerifiedPrintHooks, choice: RegisterChoice = {}, since?: string): Promise<VerifiedPrintResult & { runId: string }> {
  const runId = runIdFor(options.printedAt);
  const fingerprint = options.signingKey ? fingerprintPublicKey(options.signingKey) : null;
  const partial = options.selection;
  let supersedes: CoverRun['supersedes'] = null;
  let supplement: ReturnType<typeof planSupplement> | undefined;
  const result = await recorded(choice, options.storePath, (register) => {
    if (since !== undefined) {
      // A supplement (issue 28): planned from the register and the store's change log before its row is begun.
      const db = openStore(options.storePath);
      try { supplement = planSupplement(register, db, resolve(options.storePath), since, options.printedAt); } finally { db.close(); }
      return { run_id: runId, kind: 'print', pdf_path: resolve(options.outPath), key_fingerprint: fingerprint, selection: JSON.stringify(supplement.words), supersedes: null };
    }
    // A partial binder replaces no full one: only a full print supersedes the previous full print.
    const previous = partial ? null : register.lastFullPrintBefore(resolve(options.storePath), runId);
    supersedes = previous ? { runId: previous.run_id, printedAt: printedAtOfRunId(previous.run_id) } : null;
    return { run_id: runId, kind: 'print', pdf_path: resolve(options.outPath), key_fingerprint: fingerprint,
      selection: JSON.stringify(selectionWords(partial)), supersedes: previous?.run_id ?? null };
  }, () => printAndVerifyBinder(supplement ? { ...withoutVolumes(options), supplement: supplement.plan } : { ...options, cover: { ...options.cover, ...(partial ? {} : { supersedes }) } }, hooks),
    async ({ summary, verification }) => {
      const files = await printedFiles(summary);
      return { ...(summary.placed ? { placed: summary.placed } : {}), files, end: {
        data_as_of: summary.dataAsOf ?? null, schema_version: SCHEMA_VERSION, patients: summary.patients, pages: summary.pages,
        // A binder in several volumes: its first volume's (outPath is then BINDER-vol1.pdf); every file's is in run_files.
        pdf_sha256: files[0]!.sha256, ...printDetail(verification, options.archive?.path),
        // Who was printed, for an audit: a partial binder's patients by id (a full one holds every patient of the store).
        ...(summary.selectedIds ? { selection: JSON.stringify({ ...(supplement ? supplement.words : selectionWords(partial)), ids: summary.selectedIds.sort() }) } : {}),
      } };
    });
  return { ...result, runId };
}

/**
 * Verifies a binder against its store (verifyBinder) as a recorded run; a binder with problems is recorded as failed.
 * @throws as openStore and verifyBinder; RegisterError before anything is read
 */
export async function verifyRecorded(o: Omit<VerifyOptions, 'db'> & { storePath: string }, choice: RegisterChoice = {}): Promise<VerifyReport> {
  const startedAt = now();
  return recorded(choice, o.storePath, {
    run_id: runIdOf('verify', startedAt), kind: 'verify', pdf_path: resolve(o.binderPath),
    key_fingerprint: o.publicKey ? fingerprintPublicKey(o.publicKey) : null,
  }, async () => {
    const db = openStore(o.storePath);
    try {
      const { verifyBinder } = await import('../restore/verify-binder.js');
      return await verifyBinder({ ...o, db });
    } finally {
      db.close();
    }
  }, async (report) => ({ failed: report.problems.length > 0, end: {
    schema_version: SCHEMA_VERSION, patients: report.patients, pages: report.pages, pdf_sha256: await fileSha256(o.binderPath),
    detail: `${report.verified} of ${report.patients} patients restore exactly; ${report.problems.length} problem(s)`,
  } }));
}

/**
 * Restores (restore) as a recorded run, in the register beside the store restored into. A restore that leaves
 * patients out is recorded as failed, with its counts.
 * @throws as restore; RegisterError before anything is read
 */
export async function restoreRecorded(o: RestoreOptions, choice: RegisterChoice = {}): Promise<RestoreResult> {
  const startedAt = now();
  return recorded(choice, o.storePath, {
    run_id: runIdOf('restore', startedAt), kind: 'restore', selection: JSON.stringify({ inputs: o.inputs.map((i) => (i === '-' ? i : resolve(i))) }),
  }, () => restore(o), async ({ report, failure }) => {
    const c = report.counts;
    return { failed: failure !== undefined, end: {
      schema_version: report.dryRun && report.newStore ? null : SCHEMA_VERSION, patients: report.written,
      detail: `${report.dryRun ? 'dry run; ' : ''}runs ${report.manifests.join(', ') || '(no manifest)'}; ${c.restored} restored, ${c['already-current']} already current, ` +
        `${c['kept-newer']} kept newer, ${c.incomplete} incomplete, ${c.refused} refused, ${c.missing} missing`,
    } };
  });
}

/** The files a print wrote, each with its SHA-256: the binder, or each volume and the labels. */
async function printedFiles(summary: VerifiedPrintResult['summary']): Promise<RunFile[]> {
  const files: RunFile[] = [];
  if (!summary.volumes) return [{ path: resolve(summary.outPath), role: 'binder', volume: null, pages: summary.pages, bytes: summary.bytes, sha256: await fileSha256(summary.outPath) }];
  for (const [k, v] of summary.volumes.entries()) files.push({ path: resolve(v.path), role: 'volume', volume: k + 1, pages: v.pages, bytes: v.bytes, sha256: await fileSha256(v.path) });
  if (summary.labelsPath) files.push({ path: resolve(summary.labelsPath), role: 'labels', volume: null, pages: null, bytes: statSync(summary.labelsPath).size, sha256: await fileSha256(summary.labelsPath) });
  return files;
}

/** A print's detail in the register: its verification, and the archive written with it. */
function printDetail(verification: VerifyReport | undefined, archive: string | undefined): { detail?: string } {
  const parts = [verification ? `verified: ${verification.verified} of ${verification.patients} patients` : null, archive ? `archive ${resolve(archive)}` : null];
  const detail = parts.filter((p) => p !== null).join('; ');
  return detail ? { detail } : {};
}

/** The register's words for a print's choice of patients. */
function selectionWords(partial: PatientSelection | undefined): Record<string, unknown> {
  if (!partial) return { kind: 'all' };
  return { kind: 'partial', ...(partial.list ? { list: partial.list.file } : {}),
    ...(partial.scheduledWithinDays !== undefined ? { scheduled_within_days: partial.scheduledWithinDays } : {}) };
}

/** A verify's or a restore's run id: its kind and start time's digits (a print's is its codes' run id). */
function runIdOf(kind: Exclude<RunKind, 'print'>, startedAt: string): string {
  return `${kind}-${startedAt.replace(/[^0-9]/g, '')}`;
}

/** A run as listed: its row, and every file it wrote with its volume and SHA-256 (empty for a verify, a restore, or a run recorded before files were kept). */
export type ListedRun = RunRow & { files: RunFile[] };

/**
 * The register's runs, oldest first, each with its files; none when the register does not exist yet.
 * @throws RegisterError when the file is not a register
 */
export function listRuns(storePath: string, registerPath?: string): { register: string; runs: ListedRun[] } {
  const path = registerPath ?? registerPathFor(storePath);
  const register = RunRegister.read(path);
  if (!register) return { register: path, runs: [] };
  try { return { register: path, runs: register.list().map((r) => ({ ...r, files: register.filesOf(r.seq) })) }; } finally { register.close(); }
}

/** A supplement is one PDF whatever its length: it holds the changed patients only, and its replace-and-shred sheet names pages by number. */
function withoutVolumes(options: PrintOptions): PrintOptions {
  const { volumeSheets: _, ...rest } = options;
  return rest;
}
