// Every command that writes a file the user names asks here first, so that
// nothing already there is destroyed: not the records store, not a key, not a
// file of the user's. The binder itself is then written beside its name and
// renamed over it (_temporary-file.ts), which is why an earlier binder may go.
import { closeSync, fstatSync, lstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { extname } from 'node:path';
import { OutputExistsError, OutputIsKeyError, OutputIsStoreError } from './errors.js';

export interface BinderOutputOptions {
  /** The records store the command reads: never written over, under any name that reaches the same file. */
  storePath?: string;
  /** Replace an existing file that is not a binder of ours (print --force); never a store or a key. */
  force?: boolean;
}

/** Names a key goes by: keygen's files end in .key and .pub, and .pem is what other tools use. */
const KEY_EXTENSIONS = new Set(['.key', '.pub', '.pem']);
/** Enough of a file to know a key or a SQLite database by its first bytes. */
const HEAD_BYTES = 4096;
/** The first bytes of every SQLite database file (sqlite.org/fileformat.html §1.3.1). */
const SQLITE_HEADER = 'SQLite format 3\0';
/** The producer pdf/binder-document.ts writes into every binder's info dictionary. */
const PRODUCER = 'paperchart';

/**
 * Refuses a binder output that would destroy something: the records store
 * (the same file, whether named directly, by a symbolic link or by a hard
 * link), a key file (by its name or its content), a SQLite database, a folder
 * or special file, or, unless `force`, any existing file that is not a binder
 * paperchart printed (known by its PDF info dictionary). A missing file or an
 * earlier binder of ours passes.
 * @throws OutputIsStoreError, OutputIsKeyError (whatever `force`), OutputExistsError
 */
export function assertBinderOutput(path: string, opts: BinderOutputOptions = {}): void {
  const target = statOrUndefined(path, statSync);
  const store = opts.storePath === undefined ? undefined : statOrUndefined(opts.storePath, statSync);
  if (store && target && store.dev === target.dev && store.ino === target.ino) {
    throw new OutputIsStoreError(path, `the records store (--db ${opts.storePath})`);
  }
  if (KEY_EXTENSIONS.has(extname(path).toLowerCase())) throw new OutputIsKeyError(path, 'named as a key file (.key, .pub or .pem)');
  // SQLite keeps a database's recent changes in these files beside it: replaced, the changes are lost.
  const companion = /^(.*)-(wal|shm|journal)$/.exec(path);
  if (companion && isSqliteDatabase(companion[1]!)) throw new OutputIsStoreError(path, `part of the SQLite database ${companion[1]}`);
  if (!statOrUndefined(path, lstatSync)) return;
  if (!target) {
    if (opts.force) return;
    throw new OutputExistsError(path, 'it is a symbolic link to nothing', true);
  }
  if (target.isDirectory()) throw new OutputExistsError(path, 'it is a folder', false);
  if (!target.isFile()) throw new OutputExistsError(path, 'it is not a regular file', false);
  const head = readHead(path);
  const key = keyKind(head);
  if (key) throw new OutputIsKeyError(path, key);
  if (head.startsWith(SQLITE_HEADER)) throw new OutputIsStoreError(path, 'a SQLite database');
  if (opts.force || isPaperchartBinder(path)) return;
  throw new OutputExistsError(path, 'it is not a binder paperchart printed', true);
}

/**
 * Refuses any existing file or link at `path`: for files that must never
 * replace anything (keygen's keys, a new store). `detail` says why.
 * @throws OutputExistsError
 */
export function assertNothingAt(path: string, detail: string): void {
  if (statOrUndefined(path, lstatSync)) throw new OutputExistsError(path, detail, false);
}

/** A one-line warning when a binder's name does not say it is a PDF, or undefined. */
export function binderNameWarning(path: string): string | undefined {
  return extname(path).toLowerCase() === '.pdf' ? undefined : `${path} does not end in .pdf; it is written as a PDF all the same`;
}

/** What kind of key `head` (a file's first bytes) is, or undefined. */
function keyKind(head: string): string | undefined {
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(head)) return 'a private key';
  if (/-----BEGIN [A-Z0-9 ]*PUBLIC KEY-----/.test(head)) return 'a public key';
  if (/^[0-9a-fA-F]{64}\s*$/.test(head)) return 'a record encryption key';
  return undefined;
}

function isSqliteDatabase(path: string): boolean {
  try {
    return statSync(path).isFile() && readHead(path).startsWith(SQLITE_HEADER);
  } catch {
    return false;
  }
}

function statOrUndefined(path: string, stat: typeof statSync | typeof lstatSync): Stats | undefined {
  try {
    return stat(path);
  } catch {
    return undefined;
  }
}

function readHead(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(HEAD_BYTES);
    return b.toString('latin1', 0, readSync(fd, b, 0, b.length, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether `path` is a binder paperchart printed: a PDF whose info dictionary
 * names paperchart as its producer. Found as a PDF reader finds it, through the
 * trailer and the cross-reference table, so a handful of small reads whatever
 * the binder's size. Anything unexpected means no.
 */
export function isPaperchartBinder(path: string): boolean {
  let fd: number;
  try { fd = openSync(path, 'r'); } catch { return false; }
  try {
    const size = fstatSync(fd).size;
    const read = (at: number, length: number): string => {
      const b = Buffer.alloc(Math.max(0, Math.min(length, size - at)));
      return b.toString('latin1', 0, readSync(fd, b, 0, b.length, at));
    };
    if (!read(0, 5).startsWith('%PDF-')) return false;
    const tail = read(Math.max(0, size - 1024), 1024);
    const info = /\/Info (\d+) 0 R/.exec(tail);
    const startxref = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
    if (!info || !startxref) return false;
    const xrefAt = Number(startxref[1]);
    const table = /^xref\s+0 (\d+)[ \t]*\r?\n/.exec(read(xrefAt, 64));
    if (!table) return false;
    /** The start of object `n`'s text, from its row of the table (20 bytes each, PDF 1.7 §7.5.4). */
    const object = (n: number): string | undefined => {
      if (n < 1 || n >= Number(table[1])) return undefined;
      const row = /^(\d{10}) \d{5} n/.exec(read(xrefAt + table[0].length + 20 * n, 20));
      const text = row ? read(Number(row[1]), 512) : '';
      return text.startsWith(`${n} 0 obj`) ? text.slice(`${n} 0 obj`.length) : undefined;
    };
    const producer = /^\s*<<[^>]*\/Producer\s*(?:\(([^)]*)\)|(\d+) 0 R)/.exec(object(Number(info[1])) ?? '');
    if (!producer) return false;
    if (producer[1] !== undefined) return producer[1] === PRODUCER;
    return new RegExp(`^\\s*\\(${PRODUCER}\\)`).test(object(Number(producer[2])) ?? '');
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
