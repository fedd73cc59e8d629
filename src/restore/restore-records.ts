// Turns a bag of code texts into records in a store, with a per-patient report.
import { existsSync, rmSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { decodeRecords, type FailedDocument, type RestoredRecord } from '../codec/record-codec.js';
import { parseManifest, type Manifest } from '../codec/manifest.js';
import { InsufficientFramesError } from '../codec/codec-errors.js';
import { canonicalJson } from '../record/canonical-json.js';
import { CHILD_TABLES, type PatientRecord } from '../record/record.js';
import { validateRecord } from '../record/validate-record.js';
import { PaperchartError, SchemaVersionError } from '../errors.js';
import { createStore, openStore, type Db } from '../store/open-store.js';
import { RecordReader } from '../store/read-records.js';
import { SCHEMA_VERSION } from '../store/schema.js';
import { writeMeta, writeRecords } from '../store/write-records.js';
import { RestoreConflictError, RestoreWriteError } from './restore-errors.js';

export type OnConflict = 'keep' | 'replace' | 'fail';
export type PatientStatus = 'restored' | 'already-current' | 'kept-newer' | 'missing' | 'incomplete' | 'refused';

export interface PatientOutcome {
  patientId: string;
  status: PatientStatus;
  /** One line for a person: why, or what to do. */
  detail: string;
  /** Print run the outcome is about, when known. */
  runId?: string;
  /** incomplete: code numbers (1-based) not read. */
  missingCodes?: number[];
  /** incomplete / missing: binder pages holding the patient's codes, from the run's manifest. */
  pages?: number[];
}

export interface RestoreReport {
  store: string;
  dryRun: boolean;
  /** True when the store file did not exist before (and, unless dry run, was created). */
  newStore: boolean;
  /** Records written (or that would be, in a dry run). */
  written: number;
  /** Sorted by patient id. */
  patients: PatientOutcome[];
  /** Run ids of the manifests read. */
  manifests: string[];
  /** Texts that are not paperchart codes or are damaged. */
  rejectedTexts: number;
  /** Problems not tied to a patient (an unreadable manifest, no manifest at all). */
  notes: string[];
  counts: Record<PatientStatus, number>;
}

export interface RestoreOptions {
  storePath: string;
  texts: Iterable<string>;
  publicKey?: KeyObject;
  trustUnsigned?: boolean;
  decryptKey?: Uint8Array;
  onConflict: OnConflict;
  dryRun: boolean;
}

/** The latest updated_at of any row of a record. */
export function latestChange(r: PatientRecord): string {
  let t = r.patient.updated_at;
  for (const table of CHILD_TABLES) for (const row of r[table]) if (row.updated_at > t) t = row.updated_at;
  return t;
}

function checkRecord(r: RestoredRecord): void {
  validateRecord(r.record, null);
  for (const table of CHILD_TABLES) {
    for (const row of r.record[table]) {
      if (row.patient_id !== r.patientId) throw new PaperchartError('E_INVALID_RECORD',
        `patient ${r.patientId}: a ${table} row names patient ${row.patient_id}`, 'do not import this record; rescan the original pages');
    }
  }
}

/** Opens an existing store for writing after checking it is ours and current. */
function openForWrite(path: string): Db {
  const db = openStore(path, { forMigration: true });
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version !== SCHEMA_VERSION) { db.close(); throw new SchemaVersionError(path, version, SCHEMA_VERSION); }
  db.pragma('foreign_keys = ON');
  return db;
}

/**
 * Decodes `texts`, decides per patient what to do, and writes every
 * restorable record in one transaction (nothing is written in a dry run, or
 * when anything fails). Never throws for bad codes: they are in the report.
 * @throws RestoreConflictError (onConflict 'fail'), RestoreWriteError, store errors
 */
export function restoreRecords(o: RestoreOptions): RestoreReport {
  const decoded = decodeRecords(o.texts, {
    ...(o.publicKey ? { publicKey: o.publicKey } : {}), ...(o.trustUnsigned ? { trustUnsigned: true } : {}),
    ...(o.decryptKey ? { decryptKey: o.decryptKey } : {}),
  });
  const notes: string[] = [];
  const manifests: Manifest[] = [];
  for (const m of decoded.manifests) {
    try { manifests.push(parseManifest(m)); } catch (e) { if (!(e instanceof PaperchartError)) throw e; notes.push(e.message); }
  }
  for (const f of decoded.failures) if (f.kind === 'M') notes.push(`manifest not read: ${f.error.message}`);
  if (manifests.length === 0) notes.push('no run manifest was read: patients with no code scanned at all cannot be listed as missing');
  const pagesOf = (runId: string, id: string): number[] | undefined =>
    manifests.find((m) => m.runId === runId)?.patients.find((p) => p.id === id)?.pages;

  const outcomes = new Map<string, PatientOutcome>();
  // The newest print run wins when one patient's codes come from several runs.
  const chosen = new Map<string, RestoredRecord>();
  for (const r of decoded.records) {
    const had = chosen.get(r.patientId);
    if (!had || r.printedAt > had.printedAt) chosen.set(r.patientId, r);
  }
  const valid: RestoredRecord[] = [];
  for (const r of chosen.values()) {
    try { checkRecord(r); valid.push(r); } catch (e) {
      if (!(e instanceof PaperchartError)) throw e;
      outcomes.set(r.patientId, { patientId: r.patientId, status: 'refused', detail: e.message, runId: r.runId });
    }
  }
  const failureDetail = (f: FailedDocument & { patientId: string }): string => {
    if (!(f.error instanceof InsufficientFramesError)) return f.error.message;
    const pages = pagesOf(f.runId, f.patientId);
    return `codes ${f.error.missingText} not read, ${f.error.needed} more needed` +
      (pages ? `; printed on binder page${pages.length === 1 ? '' : 's'} ${pages.join(', ')}` : '');
  };
  // Codes of a patient's other run: never mixed into the record reported on, but a person must hear
  // of them, since that run may be the newer one.
  const otherRuns = new Map<string, string>();
  for (const f of decoded.failures) {
    if (f.kind !== 'R' || f.patientId === null) continue;
    const id = f.patientId;
    const failed = { ...f, patientId: id };
    const reportedRun = chosen.get(id)?.runId ?? outcomes.get(id)?.runId;
    if (reportedRun !== undefined) {
      if (f.runId !== reportedRun && !otherRuns.has(id)) otherRuns.set(id, `; codes of run ${f.runId} were also read but not used (${failureDetail(failed)})`);
      continue;
    }
    if (f.error instanceof InsufficientFramesError) {
      const pages = pagesOf(f.runId, id);
      outcomes.set(id, { patientId: id, status: 'incomplete', runId: f.runId, missingCodes: [...f.error.missing],
        ...(pages ? { pages } : {}), detail: failureDetail(failed) });
    } else {
      outcomes.set(id, { patientId: id, status: 'refused', runId: f.runId, detail: failureDetail(failed) });
    }
  }
  for (const m of manifests) {
    for (const p of m.patients) {
      if (outcomes.has(p.id) || chosen.has(p.id)) continue;
      outcomes.set(p.id, { patientId: p.id, status: 'missing', runId: m.runId, pages: p.pages,
        detail: `listed in run ${m.runId}'s manifest, no code found; printed on binder page${p.pages.length === 1 ? '' : 's'} ${p.pages.join(', ')}` });
    }
  }

  const clinic = [...manifests].sort((a, b) => (a.printedAt < b.printedAt ? 1 : -1))[0]?.clinic;
  const newStore = !existsSync(o.storePath);
  let db: Db | undefined = newStore ? undefined : openForWrite(o.storePath);
  try {
    const reader = db ? new RecordReader(db) : undefined;
    const exists = db?.prepare('SELECT 1 FROM patients WHERE id = ?');
    const toWrite: PatientRecord[] = [];
    const toDelete: string[] = [];
    const conflicts: string[] = [];
    for (const r of valid) {
      const base = { patientId: r.patientId, runId: r.runId };
      if (!reader || exists!.get(r.patientId) === undefined) {
        toWrite.push(r.record);
        outcomes.set(r.patientId, { ...base, status: 'restored', detail: `from run ${r.runId}, signature ${r.signature}` });
        continue;
      }
      const current = reader.read(r.patientId);
      if (canonicalJson(current) === r.canonical) {
        outcomes.set(r.patientId, { ...base, status: 'already-current', detail: 'the store holds the same record' });
        continue;
      }
      conflicts.push(r.patientId);
      const storeAt = latestChange(current), paperAt = latestChange(r.record);
      if (o.onConflict === 'keep' && storeAt >= paperAt) {
        outcomes.set(r.patientId, { ...base, status: 'kept-newer',
          detail: `the store's record (changed ${storeAt}) differs from the paper (changed ${paperAt}); kept the store's` });
        continue;
      }
      toDelete.push(r.patientId);
      toWrite.push(r.record);
      outcomes.set(r.patientId, { ...base, status: 'restored',
        detail: `replaced the store's record (changed ${storeAt}) with the paper (changed ${paperAt}), run ${r.runId}` });
    }
    if (o.onConflict === 'fail' && conflicts.length > 0) throw new RestoreConflictError(conflicts.sort());

    if (!o.dryRun && toWrite.length > 0) {
      if (!db) db = createStore(o.storePath);
      const target = db;
      try {
        target.transaction(() => {
          for (const id of toDelete) {
            // Children first: the store may have been opened without foreign key enforcement.
            for (const table of CHILD_TABLES) target.prepare(`DELETE FROM ${table} WHERE patient_id = ?`).run(id);
            target.prepare('DELETE FROM patients WHERE id = ?').run(id);
          }
          writeRecords(target, toWrite);
          // A new store takes the clinic facts of the newest run read; an existing store keeps its own.
          if (newStore && clinic) writeMeta(target, clinic);
        })();
      } catch (e) {
        if (newStore) { target.close(); db = undefined; removeStore(o.storePath); }
        if (e instanceof PaperchartError) throw e;
        throw new RestoreWriteError(o.storePath, (e as Error).message);
      }
    }
    for (const [id, note] of otherRuns) { const o = outcomes.get(id); if (o) o.detail += note; }
    const patients = [...outcomes.values()].sort((a, b) => (a.patientId < b.patientId ? -1 : a.patientId > b.patientId ? 1 : 0));
    const counts: Record<PatientStatus, number> = { restored: 0, 'already-current': 0, 'kept-newer': 0, missing: 0, incomplete: 0, refused: 0 };
    for (const p of patients) counts[p.status]++;
    return { store: o.storePath, dryRun: o.dryRun, newStore, written: toWrite.length, patients,
      manifests: manifests.map((m) => m.runId), rejectedTexts: decoded.rejected.length, notes, counts };
  } finally {
    db?.close();
  }
}

function removeStore(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}
