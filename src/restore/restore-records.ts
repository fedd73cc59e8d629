// Turns a bag of code texts into records in a store, with a per-patient report.
import { accessSync, constants, existsSync, statSync, statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { KeyObject } from 'node:crypto';
import Database from 'better-sqlite3';
import {
  FrameGrouper, reassembleDocument, type DecodeOptions, type DecodedDocument, type FailedDocument, type RejectedText, type RestoredRecord,
} from '../codec/record-codec.js';
import { parseManifest, type Manifest } from '../codec/manifest.js';
import { CorruptFrameError, InsufficientFramesError } from '../errors.js';
import { inflateRawSync } from 'node:zlib';
import { canonicalJson } from '../record/canonical-json.js';
import { isCanonicalText } from '../record/canonical-match.js';
import { CHILD_TABLES, type PatientRecord } from '../record/record.js';
import { checkRecordShape, validateRecord } from '../record/validate-record.js';
import { PaperchartError, SchemaVersionError, StoreBusyError } from '../errors.js';
import { createStore, isStoreBusy, openStore, type Db } from '../store/open-store.js';
import { RecordReader } from '../store/read-records.js';
import { changeLogOf } from '../store/patient-changes.js';
import { SCHEMA_VERSION } from '../store/schema.js';
import { RecordWriter, writeMeta } from '../store/write-records.js';
import { commitFile, noteCommitted, removeOnInterrupt, removeStaleTemporaryFiles, removeWithJournals, temporaryPathBeside } from '../_temporary-file.js';
import { RestoreConflictError, RestoreDiskFullError, RestoreTargetError, RestoreWriteError } from '../errors.js';

export type OnConflict = 'keep' | 'replace' | 'fail';
/**
 * kept-unsigned: the store holds the patient and the paper's record is not signed with the given key, so under
 * --on-conflict keep it never replaces the store's record (an unsigned record's times prove nothing).
 */
export type PatientStatus = 'restored' | 'already-current' | 'kept-newer' | 'kept-unsigned' | 'missing' | 'incomplete' | 'refused';

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
  /** Called as records are decoded and written (done of total), at least at the start and the end of each phase. */
  onProgress?: (done: number, total: number, phase: 'decode' | 'write') => void;
}

/** The latest updated_at of any row of a record. */
export function latestChange(r: PatientRecord): string {
  let t = r.patient.updated_at;
  for (const table of CHILD_TABLES) for (const row of r[table]) if (row.updated_at > t) t = row.updated_at;
  return t;
}

/** How long restore waits for another program's write to finish before it gives up. */
const LOCK_WAIT_MS = 30_000;
/** Each wait inside SQLite is this short, so Ctrl-C is handled between waits (the wait is synchronous). */
const LOCK_STEP_MS = 200;
/** Work done between two returns to the event loop, where Ctrl-C and SIGTERM are handled. */
const STEP_MS = 20;

/**
 * A function to await between units of work: it returns to the event loop
 * (so a signal's handler runs and can end the process) once STEP_MS of work
 * have passed, and resolves true when it did.
 */
function pacer(): () => Promise<boolean> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < STEP_MS) return false;
    await new Promise((r) => setImmediate(r));
    last = performance.now();
    return true;
  };
}

/** Opens an existing store for writing after checking it is ours and current. */
function openForWrite(path: string): Db {
  const db = openStore(path, { forMigration: true });
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version !== SCHEMA_VERSION) { db.close(); throw new SchemaVersionError(path, version, SCHEMA_VERSION); }
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${LOCK_STEP_MS}`);
  return db;
}

/**
 * Each patient is written under a savepoint, whose journal holds the pages that patient touched: in
 * memory that is a few pages, in a temporary file it made the write 3.7 times slower (2,000 patients
 * replaced: 4.9 s against 1.3 s, measured).
 */
function keepSavepointsInMemory(db: Db): Db {
  db.pragma('temp_store = MEMORY');
  return db;
}

/**
 * Checks that `storePath` can be restored into, before any scan is read or
 * decoded: an existing paperchart store of this schema version, or a new
 * name in a folder that exists and may be written.
 * @throws RestoreTargetError; StoreNotFoundError, NotAStoreError, SchemaVersionError for an existing file
 */
export function checkRestoreTarget(storePath: string): void {
  if (existsSync(storePath)) { openForWrite(storePath).close(); return; }
  const folder = dirname(resolve(storePath));
  let isFolder: boolean;
  try { isFolder = statSync(folder).isDirectory(); } catch { throw new RestoreTargetError(storePath, `the folder ${folder} does not exist`); }
  if (!isFolder) throw new RestoreTargetError(storePath, `${folder} is not a folder`);
  try { accessSync(folder, constants.W_OK); } catch { throw new RestoreTargetError(storePath, `the folder ${folder} may not be written`); }
}

/**
 * Parses a record's canonical JSON and checks it against the schema's exact
 * shape before anything else looks at it, then its canonical form and dates.
 * @throws CorruptFrameError, MalformedRecordError, InvalidRecordError
 */
function checkRecordText(doc: DecodedDocument & { patientId: string }): void {
  let value: unknown;
  try { value = JSON.parse(doc.canonical); } catch { throw new CorruptFrameError(`run ${doc.runId}: record content is not JSON`); }
  checkRecordShape(value, doc.patientId);
  if (!isCanonicalText(value, doc.canonical)) throw new CorruptFrameError(`run ${doc.runId} patient ${doc.patientId}: record is not in canonical form`);
  validateRecord(value, null);
}

interface Decoded { records: RestoredRecord[]; manifests: DecodedDocument[]; failures: FailedDocument[]; rejected: RejectedText[] }

/**
 * FORMAT §9 as decodeRecords does it, one document at a time with returns to
 * the event loop between them, and each record checked against the schema.
 */
async function decodeInSteps(texts: Iterable<string>, opts: DecodeOptions, onProgress: RestoreOptions['onProgress']): Promise<Decoded> {
  // Grouped a text at a time with pauses: in one call, 75,000 codes (25,000 patients) kept Ctrl-C waiting about 7 s.
  const grouper = new FrameGrouper();
  const pause = pacer();
  for (const text of texts) { grouper.add(text); await pause(); }
  const { groups, rejected } = grouper.result();
  const out: Decoded = { records: [], manifests: [], failures: [], rejected };
  onProgress?.(0, groups.length, 'decode');
  for (const [i, g] of groups.entries()) {
    try {
      const doc = reassembleDocument(g, opts);
      if (doc.kind === 'M') out.manifests.push(doc);
      else {
        const named = { ...doc, patientId: doc.patientId! };
        checkRecordText(named);
        // Checked, the record is kept deflated, as the codes carried it, and inflated again where it is compared or
        // written: held as objects or as text until the write, a 25,000-patient restore took 1.2 GB.
        const { compressed } = doc;
        const { canonical: _text, ...rest } = named;
        const restored = rest as RestoredRecord;
        const text = (): string => inflateRawSync(compressed).toString('utf8');
        Object.defineProperty(restored, 'canonical', { get: text, enumerable: true });
        Object.defineProperty(restored, 'record', { get: () => JSON.parse(text()) as PatientRecord, enumerable: true });
        out.records.push(restored);
      }
    } catch (e) {
      if (!(e instanceof PaperchartError)) throw e;
      out.failures.push({ kind: g.kind, runId: g.runId, patientId: g.patientId, digestPrefix: g.digestPrefix, error: e });
    } finally {
      g.frames.clear(); // read: its shards need not wait for every other document
    }
    if (await pause()) onProgress?.(i + 1, groups.length, 'decode');
  }
  onProgress?.(groups.length, groups.length, 'decode');
  return out;
}

/** A record signed with the given key outranks any other, whatever the print times; then the newest print run wins. */
function outranks(a: RestoredRecord, b: RestoredRecord): boolean {
  const signed = (r: RestoredRecord): number => (r.signature === 'valid' ? 1 : 0);
  if (signed(a) !== signed(b)) return signed(a) > signed(b);
  return a.printedAt > b.printedAt;
}

function isConstraintError(e: unknown): e is InstanceType<typeof Database.SqliteError> {
  return e instanceof Database.SqliteError && e.code.startsWith('SQLITE_CONSTRAINT');
}

/** Runs `sql` (BEGIN IMMEDIATE, COMMIT), waiting for another writer in short steps so a signal is handled meanwhile. */
async function runWaitingForLock(db: Db, sql: string, path: string): Promise<void> {
  const deadline = performance.now() + LOCK_WAIT_MS;
  for (;;) {
    try { db.exec(sql); return; } catch (e) {
      if (!isStoreBusy(e) || performance.now() > deadline) {
        if (isStoreBusy(e)) throw new StoreBusyError(path, LOCK_WAIT_MS / 1000);
        throw e;
      }
    }
    await new Promise((r) => setImmediate(r));
  }
}

interface WriteContext { o: RestoreOptions; outcomes: Map<string, PatientOutcome>; existing: boolean }

/**
 * Decides per patient and writes, all inside the caller's transaction, so
 * what keep compares is what the store holds when the paper is written.
 * Each patient is written under its own savepoint: a record the store's
 * constraints refuse (an MRN another patient has) is refused by itself.
 * @returns the number of records written (or that would be, in a dry run)
 * @throws RestoreConflictError (onConflict 'fail'); SqliteError other than a constraint
 */
async function decideAndWrite(db: Db | undefined, valid: RestoredRecord[], c: WriteContext): Promise<number> {
  const { o, outcomes } = c;
  const reader = c.existing ? new RecordReader(db!) : undefined;
  const exists = c.existing ? db!.prepare('SELECT 1 FROM patients WHERE id = ?') : undefined;
  // When the store last changed each patient, deletions included (schema version 2): keep never undoes a later change.
  const changedAt = c.existing ? changeLogOf(db!) : undefined;
  const writer = o.dryRun || !db ? undefined : new RecordWriter(db);
  // Children first: the store may have been opened without foreign key enforcement.
  const deletes = writer ? [...CHILD_TABLES.map((t) => db!.prepare(`DELETE FROM ${t} WHERE patient_id = ?`)),
    db!.prepare('DELETE FROM patients WHERE id = ?')] : [];
  const conflicts: string[] = [];
  const pause = pacer();
  let written = 0;
  o.onProgress?.(0, valid.length, 'write');
  for (const [i, r] of valid.entries()) {
    if (await pause()) o.onProgress?.(i, valid.length, 'write');
    const base = { patientId: r.patientId, runId: r.runId };
    let parsed: PatientRecord | undefined;
    const record = (): PatientRecord => (parsed ??= r.record); // parsed from its deflated text when needed, once
    let detail = `from run ${r.runId}, signature ${r.signature}`;
    let replace = false;
    const storeChangedAt = changedAt?.(r.patientId);
    const changedSincePrint = storeChangedAt !== undefined && storeChangedAt >= r.printedAt;
    if (exists && exists.get(r.patientId) === undefined && changedSincePrint) {
      // The patient was deleted from the store after the paper was printed.
      conflicts.push(r.patientId);
      if (o.onConflict === 'keep') {
        outcomes.set(r.patientId, { ...base, status: 'kept-newer',
          detail: `deleted from the store at ${storeChangedAt}, after the paper was printed (${r.printedAt}); not brought back` });
        continue;
      }
      if (o.onConflict === 'fail') continue;
    } else if (exists?.get(r.patientId) !== undefined) {
      const current = reader!.read(r.patientId);
      if (canonicalJson(current) === r.canonical) {
        outcomes.set(r.patientId, { ...base, status: 'already-current', detail: 'the store holds the same record' });
        continue;
      }
      conflicts.push(r.patientId);
      if (o.onConflict === 'fail') continue;
      const storeAt = latestChange(current), paperAt = latestChange(record());
      if (o.onConflict === 'keep' && r.signature !== 'valid') {
        outcomes.set(r.patientId, { ...base, status: 'kept-unsigned',
          detail: `the store's record differs from the paper, which is not signed (signature ${r.signature}); an unsigned record never replaces a store's record under keep: kept the store's` });
        continue;
      }
      if (o.onConflict === 'keep' && changedSincePrint) {
        outcomes.set(r.patientId, { ...base, status: 'kept-newer',
          detail: `the store changed this patient at ${storeChangedAt}, after the paper was printed (${r.printedAt}); kept the store's` });
        continue;
      }
      if (o.onConflict === 'keep' && storeAt >= paperAt) {
        outcomes.set(r.patientId, { ...base, status: 'kept-newer',
          detail: `the store's record (changed ${storeAt}) differs from the paper (changed ${paperAt}); kept the store's` });
        continue;
      }
      replace = true;
      detail = `replaced the store's record (changed ${storeAt}) with the paper (changed ${paperAt}), run ${r.runId}, signature ${r.signature}`;
    }
    if (writer) {
      db!.exec('SAVEPOINT patient');
      try {
        if (replace) for (const d of deletes) d.run(r.patientId);
        writer.write(record());
        db!.exec('RELEASE patient');
      } catch (e) {
        if (!isConstraintError(e)) throw e; // the caller rolls the whole transaction back
        db!.exec('ROLLBACK TO patient');
        db!.exec('RELEASE patient');
        outcomes.set(r.patientId, { ...base, status: 'refused', detail: `the store refused the record (${e.message})` });
        continue;
      }
    }
    written++;
    outcomes.set(r.patientId, { ...base, status: 'restored', detail });
  }
  if (o.onConflict === 'fail' && conflicts.length > 0) throw new RestoreConflictError(conflicts.sort());
  o.onProgress?.(valid.length, valid.length, 'write');
  return written;
}

/** Bytes free on the disk of `path`'s folder, or Infinity when that cannot be told. */
function freeBytes(path: string): number {
  try { const s = statfsSync(dirname(resolve(path))); return s.bavail * s.bsize; } catch { return Infinity; }
}

/** Names a store failure for a person; a PaperchartError passes through. */
function writeFailure(path: string, e: unknown, newStore: boolean): unknown {
  if (e instanceof PaperchartError) return e;
  const code = (e as { code?: unknown }).code;
  // SQLite reports a disk that fills while it grows its shared-memory file as an I/O error (seen with 24 KiB free).
  const full = code === 'ENOSPC' || code === 'SQLITE_FULL' || (typeof code === 'string' && code.startsWith('SQLITE_IOERR') && freeBytes(path) < 1024 * 1024);
  if (full) return new RestoreDiskFullError(path, newStore);
  // A file system error putting the new store under its name (EACCES, EXDEV...) is named, not a stack trace.
  if (!(e instanceof Database.SqliteError) && typeof (e as NodeJS.ErrnoException).syscall !== 'string') return e;
  return new RestoreWriteError(path, (e as Error).message);
}

/**
 * Writes into an existing store: reads, comparison and writes in one write
 * transaction (BEGIN IMMEDIATE), so a change another program commits before
 * it is seen by keep and never overwritten. A dry run reads one snapshot and writes nothing.
 */
async function restoreIntoStore(valid: RestoredRecord[], c: WriteContext): Promise<number> {
  const path = c.o.storePath;
  const db = keepSavepointsInMemory(openForWrite(path));
  try {
    await runWaitingForLock(db, c.o.dryRun ? 'BEGIN DEFERRED' : 'BEGIN IMMEDIATE', path);
    try {
      const written = await decideAndWrite(db, valid, c);
      if (c.o.dryRun) db.exec('ROLLBACK');
      else {
        await runWaitingForLock(db, 'COMMIT', path);
        noteCommitted(path);
      }
      return written;
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
    }
  } catch (e) {
    throw writeFailure(path, e, false);
  } finally {
    db.close();
  }
}

/**
 * Writes a new store under a temporary name beside `storePath` and puts it
 * under its name complete, or not at all: a kill or a full disk never leaves
 * an empty or schema-less store behind. No store is made when nothing is written.
 */
async function restoreIntoNewStore(valid: RestoredRecord[], c: WriteContext, clinic: Record<string, string> | undefined): Promise<number> {
  const path = c.o.storePath;
  if (c.o.dryRun) return decideAndWrite(undefined, valid, c);
  removeStaleTemporaryFiles(path); // what a restore killed with -9 left beside it
  const temp = temporaryPathBeside(path);
  let db: Db | undefined;
  const forget = removeOnInterrupt(temp, () => db?.close());
  let committed = false;
  try {
    db = keepSavepointsInMemory(createStore(temp));
    db.exec('BEGIN IMMEDIATE');
    const written = await decideAndWrite(db, valid, c);
    // A new store takes the clinic facts of the newest run read; an existing store keeps its own.
    if (written > 0 && clinic) writeMeta(db, clinic);
    db.exec('COMMIT');
    db.close();
    db = undefined;
    if (written > 0) {
      try { commitFile(temp, path, { replace: false }); } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new RestoreTargetError(path, 'a file of that name appeared while restoring');
        throw e;
      }
      committed = true;
    }
    return written;
  } catch (e) {
    throw writeFailure(path, e, true);
  } finally {
    db?.close();
    forget();
    if (!committed) removeWithJournals(temp);
  }
}

/**
 * Decodes `texts`, decides per patient what to do, and writes every
 * restorable record in one transaction (nothing is written in a dry run, or
 * when anything fails). Never throws for bad codes or bad records: they are
 * in the report, and every good record is still restored. Returns to the
 * event loop every few milliseconds, so an interrupt stops it with nothing written.
 * @throws RestoreTargetError, RestoreConflictError (onConflict 'fail'), RestoreWriteError, StoreBusyError, store errors
 */
export async function restoreRecords(o: RestoreOptions): Promise<RestoreReport> {
  checkRestoreTarget(o.storePath);
  const decoded = await decodeInSteps(o.texts, {
    ...(o.publicKey ? { publicKey: o.publicKey } : {}), ...(o.trustUnsigned ? { trustUnsigned: true } : {}),
    ...(o.decryptKey ? { decryptKey: o.decryptKey } : {}),
  }, o.onProgress);
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
  // When one patient's record comes from several runs: a signed one before any other, then the newest.
  const chosen = new Map<string, RestoredRecord>();
  for (const r of decoded.records) {
    const had = chosen.get(r.patientId);
    if (!had || outranks(r, had)) chosen.set(r.patientId, r);
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
  for (const r of decoded.records) {
    const used = chosen.get(r.patientId)!;
    if (r.printedAt > used.printedAt && r.signature !== 'valid' && used.signature === 'valid' && !otherRuns.has(r.patientId)) {
      otherRuns.set(r.patientId, `; a later record of run ${r.runId} (signature ${r.signature}) was not used: an unsigned record never outranks a signed one`);
    }
  }
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
  const valid = [...chosen.values()];
  const context: WriteContext = { o, outcomes, existing: !newStore };
  const written = valid.length === 0 ? 0
    : newStore ? await restoreIntoNewStore(valid, context, clinic) : await restoreIntoStore(valid, context);
  for (const [id, note] of otherRuns) { const p = outcomes.get(id); if (p) p.detail += note; }
  const patients = [...outcomes.values()].sort((a, b) => (a.patientId < b.patientId ? -1 : a.patientId > b.patientId ? 1 : 0));
  const counts: Record<PatientStatus, number> = { restored: 0, 'already-current': 0, 'kept-newer': 0, 'kept-unsigned': 0, missing: 0, incomplete: 0, refused: 0 };
  for (const p of patients) counts[p.status]++;
  return { store: o.storePath, dryRun: o.dryRun, newStore, written, patients,
    manifests: manifests.map((m) => m.runId), rejectedTexts: decoded.rejected.length, notes, counts };
}
