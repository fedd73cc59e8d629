// Writes a restore's records: whole patients replaced in one write transaction, each under its own savepoint.
import { dirname, resolve } from 'node:path';
import { statfsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { PatientRecord } from '../record/record.js';
import { CHILD_TABLES } from '../record/record.js';
import { PaperchartError, RestoreDiskFullError, RestoreTargetError, RestoreWriteError, StoreBusyError } from '../errors.js';
import { nextTurn } from '../_next-turn.js';
import {
  commitFile, noteCommitted, removeOnInterrupt, removeStaleTemporaryFiles, removeWithJournals, temporaryPathBeside,
} from '../_temporary-file.js';
import { createStore, isStoreBusy, openStoreForWriting, type Db } from './open-store.js';
import { changeLogOf } from './patient-changes.js';
import { RecordReader } from './read-records.js';
import { RecordWriter, writeMeta } from './write-records.js';

/** What a restore reads of the store it writes into, inside its write transaction. */
export interface StoreView {
  /** The store's record of the patient, or undefined when the store does not hold it. */
  record(patientId: string): PatientRecord | undefined;
  /** When the store last changed the patient, deletions included (patient_changes), or undefined when it never held it. */
  changedAt(patientId: string): string | undefined;
}

/** The store as a restore sees it while it decides and writes. */
export interface PatientReplacer {
  readonly view: StoreView;
  /**
   * Writes one patient's record under its own savepoint, deleting the store's record first when `replace`
   * (nothing is written, and `record` is not called, in a dry run). A record the store's constraints refuse (an MRN another patient has)
   * is refused by itself. @returns the store's reason when it refused the record
   * @throws SqliteError other than a constraint (the whole transaction is then rolled back)
   */
  write(patientId: string, replace: boolean, record: () => PatientRecord): string | undefined;
}

export interface ReplaceOptions {
  /** The store file does not exist yet: it is made under a temporary name and put in place complete. */
  newStore: boolean;
  /** Decide everything, write nothing. */
  dryRun: boolean;
  /** Clinic facts a new store takes when any record is written; an existing store keeps its own. */
  meta?: Record<string, string>;
}

/** How long a restore waits for another program's write to finish before it gives up. */
const LOCK_WAIT_MS = 30_000;
/** Each wait inside SQLite is this short, so Ctrl-C is handled between waits (the wait is synchronous). */
const LOCK_STEP_MS = 200;

const NOTHING_HELD: StoreView = { record: () => undefined, changedAt: () => undefined };

/**
 * Runs `decideAndWrite` (which returns how many records it wrote) with the store at `path` as it is under
 * the write lock, and commits what it wrote all at once: either every record lands or the store is left
 * exactly as it was. An existing store is read and written in one BEGIN IMMEDIATE transaction, so a change
 * another program commits before it is seen and never overwritten; a dry run reads one snapshot and writes
 * nothing. A new store is written under a temporary name beside `path` and put under its name complete, or
 * not at all; none is made when nothing is written.
 * @throws StoreBusyError, RestoreDiskFullError, RestoreWriteError, RestoreTargetError; store open errors;
 *   whatever `decideAndWrite` throws (nothing is written then)
 */
export async function replacePatients(path: string, o: ReplaceOptions,
  decideAndWrite: (store: PatientReplacer) => Promise<number>): Promise<number> {
  if (!o.newStore) return intoExistingStore(path, o.dryRun, decideAndWrite);
  if (o.dryRun) return decideAndWrite({ view: NOTHING_HELD, write: () => undefined });
  return intoNewStore(path, o.meta, decideAndWrite);
}

async function intoExistingStore(path: string, dryRun: boolean, decideAndWrite: (store: PatientReplacer) => Promise<number>): Promise<number> {
  const db = keepSavepointsInMemory(openStoreForWriting(path));
  db.pragma(`busy_timeout = ${LOCK_STEP_MS}`);
  try {
    await runWaitingForLock(db, dryRun ? 'BEGIN DEFERRED' : 'BEGIN IMMEDIATE', path);
    try {
      const written = await decideAndWrite(replacer(db, true, dryRun));
      if (dryRun) db.exec('ROLLBACK');
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

async function intoNewStore(path: string, meta: Record<string, string> | undefined,
  decideAndWrite: (store: PatientReplacer) => Promise<number>): Promise<number> {
  removeStaleTemporaryFiles(path); // what a restore killed with -9 left beside it
  const temp = temporaryPathBeside(path);
  let db: Db | undefined;
  const forget = removeOnInterrupt(temp, () => db?.close());
  let committed = false;
  try {
    db = keepSavepointsInMemory(createStore(temp));
    db.exec('BEGIN IMMEDIATE');
    const written = await decideAndWrite(replacer(db, false, false));
    if (written > 0 && meta) writeMeta(db, meta);
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

/** Reads and per-patient writes inside the caller's transaction, statements prepared once. */
function replacer(db: Db, existing: boolean, dryRun: boolean): PatientReplacer {
  let view = NOTHING_HELD;
  if (existing) {
    const reader = new RecordReader(db);
    const exists = db.prepare('SELECT 1 FROM patients WHERE id = ?');
    view = { record: (id) => (exists.get(id) === undefined ? undefined : reader.read(id)), changedAt: changeLogOf(db) };
  }
  if (dryRun) return { view, write: () => undefined };
  const writer = new RecordWriter(db);
  // Children first: the store may have been opened without foreign key enforcement.
  const deletes = [...CHILD_TABLES.map((t) => db.prepare(`DELETE FROM ${t} WHERE patient_id = ?`)), db.prepare('DELETE FROM patients WHERE id = ?')];
  return {
    view,
    write(patientId, replace, record) {
      db.exec('SAVEPOINT patient');
      try {
        if (replace) for (const d of deletes) d.run(patientId);
        writer.write(record());
        db.exec('RELEASE patient');
        return undefined;
      } catch (e) {
        if (!isConstraintError(e)) throw e;
        db.exec('ROLLBACK TO patient');
        db.exec('RELEASE patient');
        return e.message;
      }
    },
  };
}

/** Savepoint journals in memory: in a temporary file the write was 3.7 times slower (docs/PERFORMANCE.md). */
function keepSavepointsInMemory(db: Db): Db {
  db.pragma('temp_store = MEMORY');
  return db;
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
    await nextTurn();
  }
}

/** Bytes free on the disk of `path`'s folder, or Infinity when that cannot be told. */
function freeBytes(path: string): number {
  try { const s = statfsSync(dirname(resolve(path))); return s.bavail * s.bsize; } catch { return Infinity; }
}

/** Names a store failure for a person; a PaperchartError, or an error not from the store or the file system, passes through. */
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
