import Database from 'better-sqlite3';
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { EmptyStoreError, NotAStoreError, SchemaVersionError, StoreNotFoundError } from '../errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export type Db = Database.Database;

const SQLITE_MAGIC = 'SQLite format 3\0';

/**
 * Opens an existing records store (read-only unless it is opened to be
 * migrated, when an older schema version is accepted) and checks that it is ours and of
 * the schema version this build reads.
 * @throws StoreNotFoundError, NotAStoreError, SchemaVersionError
 */
export function openStore(path: string, access: { forMigration?: boolean } = {}): Db {
  assertSqliteFile(path);
  let db: Db;
  try {
    db = new Database(path, { readonly: !access.forMigration, fileMustExist: true });
  } catch (e) {
    throw new NotAStoreError(path, (e as Error).message);
  }
  try {
    checkSchema(db, path, access.forMigration === true);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
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
    throw new NotAStoreError(path, (e as Error).message);
  }
  if (version === 0 || !hasPatients) throw new NotAStoreError(path, 'no paperchart schema in it');
  if (version > SCHEMA_VERSION || (version < SCHEMA_VERSION && !olderIsFine)) throw new SchemaVersionError(path, version, SCHEMA_VERSION);
}
