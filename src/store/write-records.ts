import type { PatientRecord, ChildTable } from '../record/record.js';
import { CHILD_TABLES } from '../record/record.js';
import type { Db } from './open-store.js';

type Row = Record<string, unknown>;
type Insert = (row: Row) => void;

/**
 * Writes whole patient records into a store, all of them in one transaction:
 * either every record lands or the store is left exactly as it was.
 * Columns are taken from each table's definition, so a record field the
 * schema lacks is an error rather than silently dropped.
 */
export function writeRecords(db: Db, records: Iterable<PatientRecord>): number {
  const inserts = new Map<string, Insert>();
  const insertInto = (table: string, row: Row): void => {
    let insert = inserts.get(table);
    if (!insert) {
      const columns = Object.keys(row);
      const stmt = db.prepare(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => '@' + c).join(', ')})`);
      insert = (r) => { stmt.run(r); };
      inserts.set(table, insert);
    }
    insert(row);
  };
  let count = 0;
  db.transaction(() => {
    for (const record of records) {
      insertInto('patients', record.patient as unknown as Row);
      for (const table of CHILD_TABLES) {
        for (const row of record[table as ChildTable]) insertInto(table, row as unknown as Row);
      }
      count++;
    }
  })();
  return count;
}

/** Sets clinic-level facts (clinic name, time zone) kept in the `meta` table. */
export function writeMeta(db: Db, meta: Record<string, string>): void {
  const stmt = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  db.transaction(() => { for (const [k, v] of Object.entries(meta)) stmt.run(k, v); })();
}
