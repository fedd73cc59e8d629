import Database from 'better-sqlite3';
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import {
  EmptyStoreError, NotAStoreError, SchemaVersionError, StoreBusyError, StoreContentError, StoreNotFoundError,
} from '../errors.js';
import { MAX_PATIENT_ID_BYTES } from '../codec/frame.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export type Db = Database.Database;

const SQLITE_MAGIC = 'SQLite format 3\0';

/** How long a read waits for another program's write lock before the store is reported busy. */
const BUSY_TIMEOUT_MS = 5_000;

/** What an existing store is opened for: reading, writing (the current schema) or migrating (an older one too). */
type Access = 'read' | 'write' | 'migrate';

/**
 * Opens an existing records store read-only, and checks that it is ours, of the
 * schema version this build reads, and that it holds what the schema requires
 * (checkStoreContents).
 * @throws StoreNotFoundError, NotAStoreError, SchemaVersionError, StoreBusyError, StoreContentError
 */
export function openStore(path: string): Db {
  return openChecked(path, 'read');
}

/**
 * Opens an existing store of the current schema version for writing, checked as
 * openStore checks it, with foreign keys enforced.
 * @throws StoreNotFoundError, NotAStoreError, SchemaVersionError, StoreBusyError, StoreContentError
 */
export function openStoreForWriting(path: string): Db {
  const db = openChecked(path, 'write');
  db.pragma('foreign_keys = ON');
  return db;
}

/**
 * Opens an existing store for writing, to be migrated (migrate): an older schema
 * version is accepted, and the contents are checked only at the current one.
 * @throws StoreNotFoundError, NotAStoreError, SchemaVersionError (a newer version), StoreBusyError, StoreContentError
 */
export function openStoreForMigration(path: string): Db {
  return openChecked(path, 'migrate');
}

function openChecked(path: string, access: Access): Db {
  assertSqliteFile(path);
  let db: Db;
  try {
    db = new Database(path, { readonly: access === 'read', fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  } catch (e) {
    throw isStoreBusy(e) ? new StoreBusyError(path, BUSY_TIMEOUT_MS / 1000) : new NotAStoreError(path, (e as Error).message);
  }
  try {
    checkSchema(db, path, access === 'migrate');
    if (db.pragma('user_version', { simple: true }) === SCHEMA_VERSION) checkStoreContents(db, path);
  } catch (e) {
    db.close();
    throw isStoreBusy(e) ? new StoreBusyError(path, BUSY_TIMEOUT_MS / 1000) : e;
  }
  return db;
}

/** SQLite's "database is locked": another connection holds a lock past the busy timeout. */
export function isStoreBusy(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** The current schema's tables, each with its columns and those that may not be NULL, read from a store made in memory. */
let expectedTables: Map<string, { columns: string[]; required: string[]; key: string }> | undefined;
function schemaTables(): Map<string, { columns: string[]; required: string[]; key: string }> {
  if (expectedTables) return expectedTables;
  const mem = new Database(':memory:');
  try {
    for (const m of MIGRATIONS) mem.exec(m);
    expectedTables = new Map();
    const names = mem.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid").pluck().all() as string[];
    for (const t of names) {
      const info = mem.pragma(`table_info(${t})`) as { name: string; notnull: number; pk: number }[];
      expectedTables.set(t, { columns: info.map((c) => c.name), required: info.filter((c) => c.notnull || c.pk).map((c) => c.name),
        key: info.find((c) => c.pk)!.name });
    }
    return expectedTables;
  } finally {
    mem.close();
  }
}

const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Checks what the binder and the paper format need of a store whose version is
 * current, before anything is read for output: every table and column of the
 * schema, no NULL in a required column (a store made by another tool need not
 * carry our NOT NULL constraints), patient ids of 1 to 64 bytes (FORMAT §4), and
 * a real IANA `meta.timezone`. One query per table: 10-15 ms on the 10,000-patient
 * sample (docs/PERFORMANCE.md).
 * @throws StoreContentError naming the table, column and first offending row
 */
export function checkStoreContents(db: Db, path: string): void {
  const present = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
  const fix = 'export the store again from the records system with the full paperchart schema (docs/SCHEMA.md)';
  for (const [table, { columns, required, key }] of schemaTables()) {
    if (!present.has(table)) throw new StoreContentError(path, `it has no table ${table}`, fix);
    const has = new Set((db.pragma(`table_info(${quoted(table)})`) as { name: string }[]).map((c) => c.name));
    const lacking = columns.find((c) => !has.has(c));
    if (lacking !== undefined) throw new StoreContentError(path, `table ${table} has no column ${lacking}`, fix);
    const nulls = db.prepare(`SELECT ${quoted(key)} AS row, ${required.map((c) => `${quoted(c)} IS NULL AS ${quoted(c)}`).join(', ')}
      FROM ${quoted(table)} WHERE ${required.map((c) => `${quoted(c)} IS NULL`).join(' OR ')} LIMIT 1`).get() as Record<string, unknown> | undefined;
    if (nulls) {
      const column = required.find((c) => nulls[c] === 1)!;
      throw new StoreContentError(path, `${table}.${column} is NULL (empty) in row ${JSON.stringify(nulls.row)}, and the schema requires a value`,
        `fill in ${table}.${column} for that row in the records system and export the store again (docs/SCHEMA.md)`);
    }
  }
  const badId = db.prepare(`SELECT id, length(CAST(id AS BLOB)) AS bytes FROM patients
    WHERE typeof(id) != 'text' OR id = '' OR length(CAST(id AS BLOB)) > ? LIMIT 1`).get(MAX_PATIENT_ID_BYTES) as { id: unknown; bytes: number } | undefined;
  if (badId) {
    const shown = typeof badId.id === 'string' ? JSON.stringify(badId.id.length > 24 ? `${badId.id.slice(0, 24)}…` : badId.id) : String(badId.id);
    throw new StoreContentError(path, `patient id ${shown} is ${badId.bytes === 0 ? 'empty' : `${badId.bytes} bytes`}, expected 1 to ${MAX_PATIENT_ID_BYTES} bytes of text`,
      `give that patient an id of 1 to ${MAX_PATIENT_ID_BYTES} bytes in the records system and export the store again`);
  }
  const zone = db.prepare("SELECT value FROM meta WHERE key = 'timezone'").pluck().get() as unknown;
  if (zone !== undefined && !isTimeZone(zone)) {
    throw new StoreContentError(path, `meta.timezone=${JSON.stringify(zone)} is not a time zone, expected an IANA name such as America/Chicago`,
      'set meta.timezone to the clinic\'s IANA time zone (or remove it for UTC) and export the store again');
  }
}

function isTimeZone(zone: unknown): boolean {
  if (typeof zone !== 'string' || zone === '') return false;
  try { new Intl.DateTimeFormat('en', { timeZone: zone }); return true; } catch { return false; }
}

/**
 * Creates a new, empty store at the current schema version. The file must not exist.
 * @throws NotAStoreError when the path already exists
 */
export function createStore(path: string): Db {
  if (existsSync(path)) throw new NotAStoreError(path, 'file already exists; paperchart will not overwrite a store');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

/** Applies every migration from the store's version up to SCHEMA_VERSION, in one transaction. */
export function migrate(db: Db): { from: number; to: number } {
  const from = db.pragma('user_version', { simple: true }) as number;
  db.transaction(() => {
    for (let v = from; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
  return { from, to: SCHEMA_VERSION };
}

/**
 * @throws EmptyStoreError when the store holds no patients
 */
export function assertHasPatients(db: Db, path: string): void {
  const row = db.prepare('SELECT EXISTS (SELECT 1 FROM patients) AS any').get() as { any: number };
  if (!row.any) throw new EmptyStoreError(path);
}

function assertSqliteFile(path: string): void {
  if (!existsSync(path)) throw new StoreNotFoundError(path);
  if (!statSync(path).isFile()) throw new NotAStoreError(path, 'it is a folder');
  const head = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1') !== SQLITE_MAGIC) throw new NotAStoreError(path, 'not an SQLite database');
}

function checkSchema(db: Db, path: string, olderIsFine: boolean): void {
  let version: number;
  let hasPatients: boolean;
  try {
    version = db.pragma('user_version', { simple: true }) as number;
    hasPatients = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'patients'").get() !== undefined;
  } catch (e) {
    if (isStoreBusy(e)) throw e;
    throw new NotAStoreError(path, (e as Error).message);
  }
  if (version === 0 || !hasPatients) throw new NotAStoreError(path, 'no paperchart schema in it');
  if (version > SCHEMA_VERSION || (version < SCHEMA_VERSION && !olderIsFine)) throw new SchemaVersionError(path, version, SCHEMA_VERSION);
}
