// Every file paperchart creates is written under a temporary name beside its
// destination and appears under its own name complete or not at all.
import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** Temporary files not yet committed or removed, with what stops their writer, for an interrupt. */
const pending = new Map<string, () => void>();

/**
 * A temporary name beside `path`: hidden, and unique even when another run
 * has the same process id (node as pid 1 in a container), so a stale file of
 * a killed run never blocks the next one.
 */
export function temporaryPathBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(6).toString('hex')}.partial`);
}

/**
 * Remembers `tempPath` so that an interrupt removes it, after calling `stop`
 * (which stops whatever writes it). Returns the function that forgets it again.
 */
export function removeOnInterrupt(tempPath: string, stop: () => void = () => {}): () => void {
  pending.set(tempPath, stop);
  return () => { pending.delete(tempPath); };
}

/** Stops the writers of every pending temporary file and removes the files (Ctrl-C, SIGTERM, SIGHUP). */
export function removeTemporaryFiles(): void {
  for (const [path, stop] of pending) {
    try { stop(); } catch { /* the file goes whatever its writer does */ }
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
  }
  pending.clear();
}

/** Forces a file's bytes (or a folder's entries) to disk. */
export function syncToDisk(path: string): void {
  const fd = openSync(path, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

/**
 * Puts the complete file `tempPath` under `path`: its bytes on disk first,
 * then the name, then the folder entry. With `replace` false an existing
 * `path` is never replaced (link fails with EEXIST instead).
 * @throws the file system's error (EEXIST, ENOSPC, ...); the caller names it for the user
 */
export function commitFile(tempPath: string, path: string, opts: { replace: boolean }): void {
  syncToDisk(tempPath);
  if (opts.replace) renameSync(tempPath, path);
  else { linkSync(tempPath, path); unlinkSync(tempPath); }
  pending.delete(tempPath);
  try { syncToDisk(dirname(path)); } catch { /* some file systems cannot sync a folder; the rename stands */ }
}
