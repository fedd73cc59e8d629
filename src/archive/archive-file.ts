// Writing an archive as print draws (one code text at a time, in binder order) and reading one back for restore.
import { createCipheriv, createDecipheriv, type CipherGCM } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { ArchiveError, OutputNotWritableError, PassphraseError, fileProblem } from '../errors.js';
import { assertBinderOutput } from '../_output-guard.js';
import { commitFile, temporaryPathBeside } from '../_temporary-file.js';
import { ARCHIVE_MAGIC, TAG_BYTES, archiveKey, decodeArchiveHead, encodeArchiveHead, newArchiveHeader, type ArchiveHeader, type ArchiveSecret } from './archive-format.js';

/** Everything print needs to write the archive, able to cross to the drawing thread: the key is derived before. */
export interface ArchiveTarget {
  path: string;
  /** Where it is written until complete; chosen by the thread that handles Ctrl-C (default: a fresh name beside it). */
  temporaryPath?: string;
  header: ArchiveHeader;
  /** The AES-256 key (archiveKey of the header and the secret). */
  key: Uint8Array;
  force?: boolean;
  storePath?: string;
}

/**
 * A new archive's target for run `runId`: a fresh header, and its key derived here (scrypt takes about half a
 * second), so the drawing thread only encrypts.
 * @throws ArchiveError when the secret is neither a passphrase nor a record key
 */
export function archiveTarget(path: string, runId: string, printedAt: string, secret: ArchiveSecret): ArchiveTarget {
  const header = newArchiveHeader(runId, printedAt, secret);
  return { path, header, key: archiveKey(path, header, secret) };
}

/** Code texts are gathered to this size before they are encrypted and written. */
const WRITE_SIZE = 1 << 16;

/**
 * Refuses an archive name that would destroy something: as a binder's (the store, a key, a database, a file of
 * the user's without --force); an earlier archive of ours is replaced.
 * @throws OutputIsStoreError, OutputIsKeyError, OutputExistsError
 */
export function assertArchiveOutput(path: string, opts: { storePath?: string; force?: boolean }): void {
  assertBinderOutput(path, { ...opts, ...(isArchive(path) ? { force: true } : {}) });
}

/** True when the file starts as an archive does (FORMAT §16.1). Only a regular file is opened: a named pipe with no writer would block the open forever. */
export function isArchive(path: string): boolean {
  let fd: number | undefined;
  try {
    if (!statSync(path).isFile()) return false;
    fd = openSync(path, 'r');
    const b = Buffer.alloc(ARCHIVE_MAGIC.length);
    return readSync(fd, b, 0, b.length, 0) === b.length && b.equals(ARCHIVE_MAGIC);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** An archive being written under a temporary name; put under its name only by commit(). */
export class ArchiveWriter {
  private readonly cipher: CipherGCM;
  private pending: string[] = [];
  private pendingLength = 0;

  private constructor(private readonly target: ArchiveTarget & { temporaryPath: string }, private readonly fd: number) {
    const head = encodeArchiveHead(target.header);
    this.cipher = createCipheriv('aes-256-gcm', target.key, Buffer.from(target.header.nonce, 'hex'));
    this.cipher.setAAD(head);
    writeSync(fd, head);
  }

  /** @throws as assertArchiveOutput; OutputNotWritableError */
  static open(target: ArchiveTarget): ArchiveWriter {
    assertArchiveOutput(target.path, target);
    const temporaryPath = target.temporaryPath ?? temporaryPathBeside(target.path);
    let fd: number;
    try { fd = openSync(temporaryPath, 'wx', 0o600); } catch (e) { throw new OutputNotWritableError(target.path, (e as NodeJS.ErrnoException).code ?? (e as Error).message); }
    return new ArchiveWriter({ ...target, temporaryPath }, fd);
  }

  /** One code text (FORMAT §16.2: the texts, each followed by a line feed). */
  add(text: string): void {
    this.pending.push(text);
    this.pendingLength += text.length + 1;
    if (this.pendingLength >= WRITE_SIZE) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    writeSync(this.fd, this.cipher.update(`${this.pending.join('\n')}\n`, 'utf8'));
    this.pending = [];
    this.pendingLength = 0;
  }

  /** Ends the ciphertext, appends the tag, forces it to disk and renames it into place. @throws OutputNotWritableError */
  commit(): void {
    try {
      this.flush();
      writeSync(this.fd, this.cipher.final());
      writeSync(this.fd, this.cipher.getAuthTag());
      closeSync(this.fd);
      assertArchiveOutput(this.target.path, this.target);
      commitFile(this.target.temporaryPath, this.target.path, { replace: true });
    } catch (e) {
      this.discard();
      if (e instanceof Error && 'exitCode' in e) throw e;
      throw new OutputNotWritableError(this.target.path, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
    }
  }

  /** Removes the temporary file; safe to call more than once. */
  discard(): void {
    try { closeSync(this.fd); } catch { /* already closed */ }
    rmSync(this.target.temporaryPath, { force: true });
  }
}

/** A passphrase shorter than this is refused for a new archive: it guards the whole clinic's records off site. */
export const MIN_PASSPHRASE = 12;

/**
 * The passphrase in a file: its first line, without the line end. Writing an archive, a passphrase shorter
 * than MIN_PASSPHRASE characters is refused.
 * @throws PassphraseError
 */
export function readPassphraseFile(path: string, forWriting: boolean): string {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) { throw new PassphraseError(path, `cannot be read (${fileProblem(e)})`); }
  const passphrase = text.split(/\r?\n/)[0]!;
  if (passphrase === '') throw new PassphraseError(path, 'holds no passphrase on its first line');
  if (forWriting && [...passphrase].length < MIN_PASSPHRASE) throw new PassphraseError(path, `holds a passphrase of ${[...passphrase].length} characters, fewer than ${MIN_PASSPHRASE}`);
  return passphrase;
}

/** Ciphertext is read in pieces of this size. */
const READ_SIZE = 1 << 20;

/**
 * Reads an archive's code texts. The whole file is authenticated first (one pass, nothing kept), then
 * decrypted (a second pass): a wrong passphrase or key, or a file altered or cut anywhere, gives no text at all.
 * @throws ArchiveError (one line: not an archive, truncated, wrong secret or altered), PassphraseError
 */
export function readArchive(path: string, secret: ArchiveSecret): { header: ArchiveHeader; texts: string[] } {
  let fd: number;
  try { fd = openSync(path, 'r'); } catch (e) { throw new ArchiveError(path, fileProblem(e)); }
  try {
    const size = fstatSync(fd).size;
    const first = Buffer.alloc(Math.min(size, 8192));
    readSync(fd, first, 0, first.length, 0);
    const { header, headLength } = decodeArchiveHead(path, first, size);
    const key = archiveKey(path, header, secret);
    const end = size - TAG_BYTES;
    const tag = Buffer.alloc(TAG_BYTES);
    readSync(fd, tag, 0, TAG_BYTES, end);
    const pass = (onPlain: (b: Buffer) => void): void => {
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(header.nonce, 'hex'));
      d.setAAD(first.subarray(0, headLength));
      d.setAuthTag(tag);
      const chunk = Buffer.alloc(READ_SIZE);
      for (let at = headLength; at < end;) {
        const n = readSync(fd, chunk, 0, Math.min(READ_SIZE, end - at), at);
        if (n <= 0) throw new ArchiveError(path, 'it is truncated');
        onPlain(d.update(chunk.subarray(0, n)));
        at += n;
      }
      try { d.final(); } catch {
        throw new ArchiveError(path, `the ${header.key === 'scrypt' ? 'passphrase' : 'record key'} is wrong, or the file was altered or truncated`);
      }
    };
    pass(() => undefined);
    const texts: string[] = [];
    let rest = '';
    pass((b) => {
      const lines = (rest + b.toString('latin1')).split('\n');
      rest = lines.pop()!;
      for (const l of lines) if (l) texts.push(l);
    });
    if (rest) texts.push(rest);
    return { header, texts };
  } finally {
    closeSync(fd);
  }
}
