// An import's one write transaction: whole patient records put in place by id, unchanged ones left untouched.
import { existsSync } from 'node:fs';
import type { PatientRecord, RecordTable } from '../record/record.js';
import { CHILD_TABLES } from '../record/record.js';
import { canonicalJson } from '../record/canonical-json.js';
import { FhirInputError } from '../errors.js';
import { commitFile, removeOnInterrupt, removeWithJournals, temporaryPathBeside } from '../_temporary-file.js';
import { createStore, openStoreForWriting, type Db } from './open-store.js';
import { readMeta, RecordReader } from './read-records.js';
import { RecordWriter } from './write-records.js';

/** What an import may do with the store it writes into. */
export interface ImportTarget {
  /** The clinic's IANA time zone (meta.timezone, UTC when unset): local times are written in it. */
  readonly zone: string;
  /**
   * Puts each record in place of the store's record of that patient. A row equal to the store's but for
   * `updated_at` keeps the store's time, and a record then equal to the store's is not written at all, so
   * importing the same export twice changes nothing (patient_changes included). Rows whose `updated_at` is
   * empty take `now`. @returns the ids written and those left as they were
   */
  apply(records: readonly PatientRecord[], now: string): { written: string[]; unchanged: string[] };
}

type Row = Record<string, unknown>;

/**
 * Runs `work` against the store at `path` inside one write transaction and commits it, unless `dryRun`
 * (rolled back: the counts are exact, nothing is written). A store that does not exist is made under a
 * temporary name and put in place complete; nothing is left behind when `work` throws.
 * @throws store open errors; FhirInputError for a record the store's constraints refuse (an MRN another patient has);
 *   whatever `work` throws
 */
export function importIntoStore<T>(path: string, dryRun: boolean, work: (target: ImportTarget) => T): T {
  const isNew = !existsSync(path);
  const temp = isNew && !dryRun ? temporaryPathBeside(path) : undefined;
  let db: Db | undefined;
  const forget = temp ? removeOnInterrupt(temp, () => db?.close()) : () => undefined;
  try {
    db = isNew ? createStore(temp ?? ':memory:') : openStoreForWriting(path);
    const target = targetOf(db);
    db.exec('BEGIN IMMEDIATE');
    let result: T;
    try {
      result = work(target);
      db.exec(dryRun ? 'ROLLBACK' : 'COMMIT');
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
    }
    db.close();
    db = undefined;
    if (temp) commitFile(temp, path, { replace: false });
    return result;
  } finally {
    db?.close();
    if (temp && existsSync(temp)) removeWithJournals(temp);
    forget();
  }
}

function targetOf(db: Db): ImportTarget {
  const zone = readMeta(db).timezone ?? 'UTC';
  const reader = new RecordReader(db);
  const writer = new RecordWriter(db);
  const exists = db.prepare('SELECT 1 FROM patients WHERE id = ?');
  const remove = db.prepare('DELETE FROM patients WHERE id = ?');
  return {
    zone,
    apply(records, now) {
      const written: string[] = []; const unchanged: string[] = [];
      for (const record of records) {
        const id = record.patient.id;
        const old = exists.get(id) ? reader.read(id) : undefined;
        keepTimes(record, old, now);
        if (old && canonicalJson(old) === canonicalJson(record)) { unchanged.push(id); continue; }
        if (old) remove.run(id);
        try { writer.write(record); } catch (e) {
          if ((e as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) {
            throw new FhirInputError(`patient ${id}`, 0, `the store refused the record (${(e as Error).message})`,
              'give each patient its own medical record number (MR identifier) in the records system and export again');
          }
          throw e;
        }
        written.push(id);
      }
      return { written, unchanged };
    },
  };
}

/** Each row keeps the store's `updated_at` when nothing else of it changed; a new or changed row without one takes `now`. */
function keepTimes(record: PatientRecord, old: PatientRecord | undefined, now: string): void {
  const tables: [RecordTable, Row[], Row[]][] = [['patients', [record.patient as unknown as Row], old ? [old.patient as unknown as Row] : []]];
  for (const t of CHILD_TABLES) tables.push([t, record[t] as unknown as Row[], old ? old[t] as unknown as Row[] : []]);
  for (const [, rows, oldRows] of tables) {
    const byId = new Map(oldRows.map((r) => [r.id, r]));
    for (const row of rows) {
      const before = byId.get(row.id);
      if (before && canonicalJson({ ...before, updated_at: '' }) === canonicalJson({ ...row, updated_at: '' })) row.updated_at = before.updated_at;
      else if (!row.updated_at) row.updated_at = now;
    }
  }
}
