import type { PatientRecord } from '../record/record.js';
import { CHILD_TABLES, OPTIONAL_COLUMNS, RECORD_COLUMNS, type RecordTable } from '../record/record.js';
import type { Db } from './open-store.js';

type Row = Record<string, unknown>;

/**
 * Writes whole patient records with statements built from the schema's column
 * lists (RECORD_COLUMNS) alone: no name from a record ever reaches SQL, and
 * values are bound by position. A row with a field the schema lacks, or
 * without one it has, is a TypeError rather than silently dropped.
 */
export class RecordWriter {
  private readonly inserts: [RecordTable, string[], (values: unknown[]) => void][];

  constructor(db: Db) {
    this.inserts = (['patients', ...CHILD_TABLES] as RecordTable[]).map((table) => {
      const columns = Object.keys(RECORD_COLUMNS[table]);
      const stmt = db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      return [table, columns, (values) => { stmt.run(values); }];
    });
  }

  /** Inserts one record's rows (the caller holds the transaction). @throws TypeError, SqliteError */
  write(record: PatientRecord): void {
    for (const [table, columns, insert] of this.inserts) {
      const rows = table === 'patients' ? [record.patient] : record[table];
      for (const row of rows as unknown as Row[]) insert(valuesOf(table, columns, row));
    }
  }
}

function valuesOf(table: RecordTable, columns: readonly string[], row: Row): unknown[] {
  const optional = OPTIONAL_COLUMNS[table];
  const values = columns.map((c) => {
    const v = row[c];
    if (v !== undefined) return v;
    if (optional.includes(c)) return null; // schema 3's columns: absent means null
    throw new TypeError(`${table} row lacks column ${c}`);
  });
  for (const k of Object.keys(row)) {
    if (!columns.includes(k)) throw new TypeError(`${table} row has a field the schema lacks: ${k}`);
  }
  return values;
}

/**
 * Writes whole patient records into a store, all of them in one transaction:
 * either every record lands or the store is left exactly as it was.
 * @throws TypeError for a row whose fields are not its table's columns; SqliteError from the store
 */
export function writeRecords(db: Db, records: Iterable<PatientRecord>): number {
  const writer = new RecordWriter(db);
  let count = 0;
  db.transaction(() => {
    for (const record of records) { writer.write(record); count++; }
  })();
  return count;
}

/** Sets clinic-level facts (clinic name, time zone) kept in the `meta` table. */
export function writeMeta(db: Db, meta: Record<string, string>): void {
  const stmt = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  db.transaction(() => { for (const [k, v] of Object.entries(meta)) stmt.run(k, v); })();
}
