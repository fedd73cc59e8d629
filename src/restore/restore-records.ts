// Turns a bag of code texts into records in a store, with a per-patient report: decode, plan, then apply through store/.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { RestoredRecord } from '../codec/record-codec.js';
import { RestoreConflictError, RestoreTargetError } from '../errors.js';
import { openStoreForWriting } from '../store/open-store.js';
import { replacePatients, type PatientReplacer } from '../store/replace-patients.js';
import { pacer } from './_pacer.js';
import { decodeTexts } from './decode-texts.js';
import { decidePatient, planFromPaper } from './plan-restore.js';
import { sortAndCount, type OnConflict, type PatientOutcome, type RestoreProgress, type RestoreReport } from './restore-report.js';

export type { OnConflict, PatientOutcome, PatientStatus, RestoreProgress, RestoreReport } from './restore-report.js';

/** A restore from code texts already read (restore() reads them from scans, images and text files). */
export interface RestoreRecordsOptions {
  storePath: string;
  texts: Iterable<string>;
  publicKey?: KeyObject;
  trustUnsigned?: boolean;
  decryptKey?: Uint8Array;
  onConflict: OnConflict;
  dryRun: boolean;
  onProgress?: RestoreProgress;
}

/**
 * Checks that `storePath` can be restored into, before any scan is read or
 * decoded: an existing paperchart store of this schema version, or a new
 * name in a folder that exists and may be written.
 * @throws RestoreTargetError; StoreNotFoundError, NotAStoreError, SchemaVersionError for an existing file
 */
export function checkRestoreTarget(storePath: string): void {
  if (existsSync(storePath)) { openStoreForWriting(storePath).close(); return; }
  const folder = dirname(resolve(storePath));
  let isFolder: boolean;
  try { isFolder = statSync(folder).isDirectory(); } catch { throw new RestoreTargetError(storePath, `the folder ${folder} does not exist`); }
  if (!isFolder) throw new RestoreTargetError(storePath, `${folder} is not a folder`);
  try { accessSync(folder, constants.W_OK); } catch { throw new RestoreTargetError(storePath, `the folder ${folder} may not be written`); }
}

/**
 * Decodes `texts`, decides per patient what to do, and writes every
 * restorable record in one transaction (nothing is written in a dry run, or
 * when anything fails). Never throws for bad codes or bad records: they are
 * in the report, and every good record is still restored. Returns to the
 * event loop every few milliseconds, so an interrupt stops it with nothing written.
 * @throws RestoreTargetError, RestoreConflictError (onConflict 'fail'), RestoreWriteError, RestoreDiskFullError,
 *   StoreBusyError, store errors
 */
export async function restoreRecords(o: RestoreRecordsOptions): Promise<RestoreReport> {
  checkRestoreTarget(o.storePath);
  const decoded = await decodeTexts(o.texts, {
    ...(o.publicKey ? { publicKey: o.publicKey } : {}), ...(o.trustUnsigned ? { trustUnsigned: true } : {}),
    ...(o.decryptKey ? { decryptKey: o.decryptKey } : {}),
  }, o.onProgress);
  const plan = planFromPaper(decoded);
  const { outcomes } = plan;
  const newStore = !existsSync(o.storePath);
  const written = plan.records.length === 0 ? 0 : await replacePatients(o.storePath,
    { newStore, dryRun: o.dryRun, ...(plan.clinic ? { meta: plan.clinic } : {}) },
    (store) => decideAndWrite(store, plan.records, outcomes, o));
  for (const [id, note] of plan.otherRuns) { const p = outcomes.get(id); if (p) p.detail += note; }
  for (const [id, who] of plan.identities) { const p = outcomes.get(id); if (p) Object.assign(p, who); }
  const { patients, counts } = sortAndCount(outcomes.values());
  return { store: o.storePath, dryRun: o.dryRun, newStore, written, patients,
    manifests: plan.manifests.map((m) => m.runId), rejectedTexts: decoded.rejected.length, notes: plan.notes, counts };
}

/**
 * Decides each patient against the store (decidePatient) and writes what is to be written, inside the
 * store's one write transaction.
 * @returns the number of records written (or that would be, in a dry run)
 * @throws RestoreConflictError (onConflict 'fail'): the transaction is then rolled back
 */
async function decideAndWrite(store: PatientReplacer, records: RestoredRecord[], outcomes: Map<string, PatientOutcome>,
  o: Pick<RestoreRecordsOptions, 'onConflict' | 'onProgress'>): Promise<number> {
  const conflicts: string[] = [];
  const pause = pacer();
  let written = 0;
  o.onProgress?.(0, records.length, 'write');
  for (const [i, r] of records.entries()) {
    if (await pause()) o.onProgress?.(i, records.length, 'write');
    const decision = decidePatient(r, store.view, o.onConflict);
    if (decision.conflict) conflicts.push(r.patientId);
    if (!decision.write) {
      if (decision.outcome) outcomes.set(r.patientId, decision.outcome);
      continue;
    }
    const refused = store.write(r.patientId, decision.replace, decision.record);
    if (refused !== undefined) {
      outcomes.set(r.patientId, { patientId: r.patientId, runId: r.runId, status: 'refused', detail: `the store refused the record (${refused})` });
      continue;
    }
    written++;
    outcomes.set(r.patientId, decision.outcome);
  }
  if (o.onConflict === 'fail' && conflicts.length > 0) throw new RestoreConflictError(conflicts.sort());
  o.onProgress?.(records.length, records.length, 'write');
  return written;
}
