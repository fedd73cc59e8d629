// Every file paperchart creates is written under a temporary name beside its
// destination and appears under its own name complete or not at all.
import { closeSync, fsyncSync, linkSync, lstatSync, openSync, readdirSync, renameSync, rmSync, unlinkSync } from 'node:fs';
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

/** Removes a temporary file and, when it is a SQLite store, the journal files SQLite keeps beside it. */
export function removeWithJournals(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}

/** Files this run has put in place complete (commitFile, or a store's COMMIT), for what an interrupt reports. */
const committed: string[] = [];

/**
 * Records that `path` is now complete. A signal is handled only between two
 * steps of the event loop, so one that arrives during a synchronous commit is
 * handled after it: the interrupt must then say the file was written.
 */
export function noteCommitted(path: string): void {
  committed.push(path);
}

/** What else an interrupt must do before the process exits (the run register marks its run interrupted). */
const interruptActions = new Set<(signal: string) => void>();

/** Runs `action` on an interrupt (removeTemporaryFiles), synchronously; returns the function that forgets it. */
export function onInterrupt(action: (signal: string) => void): () => void {
  interruptActions.add(action);
  return () => { interruptActions.delete(action); };
}

/**
 * Stops the writers of every pending temporary file and removes the files (Ctrl-C, SIGTERM, SIGHUP), then runs
 * the onInterrupt actions.
 * @returns the files this run had already put in place complete, which stay
 */
export function removeTemporaryFiles(signal = 'interrupt'): string[] {
  for (const [path, stop] of pending) {
    try { stop(); } catch { /* the file goes whatever its writer does */ }
    removeWithJournals(path);
  }
  pending.clear();
  for (const action of interruptActions) {
    try { action(signal); } catch { /* the exit goes ahead whatever an action does */ }
  }
  interruptActions.clear();
  return [...committed];
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
  noteCommitted(path);
  try { syncToDisk(dirname(path)); } catch { /* some file systems cannot sync a folder; the rename stands */ }
}

/**
 * A temporary file whose writer's process id is alive is left alone for this
 * long since it last changed: a print writes its binder all along, so one
 * unchanged for an hour belongs to a run that died, its pid taken since by
 * another process (or by this one: node as pid 1 in a container).
 */
export const STALE_AFTER_MS = 60 * 60 * 1000;

/**
 * Removes the temporary files of `path` that runs killed before they could
 * (kill -9, a power cut): those named by temporaryPathBeside, and by older
 * versions (`.NAME.PID.partial`), whose process is gone or which have not
 * changed for STALE_AFTER_MS. Returns the names removed.
 */
export function removeStaleTemporaryFiles(path: string, now: number = Date.now()): string[] {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try { names = readdirSync(dir); } catch { return []; }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)(?:-[0-9a-f]+)?\.partial(-wal|-shm|-journal)?$/.exec(name.slice(prefix.length));
    if (!m) continue;
    const file = join(dir, name);
    if (pending.has(m[2] ? file.slice(0, -m[2].length) : file)) continue;
    let stale = !processIsAlive(Number(m[1]));
    if (!stale) {
      try { stale = now - lstatSync(file).mtimeMs > STALE_AFTER_MS; } catch { continue; }
    }
    if (!stale) continue;
    rmSync(file, { force: true });
    removed.push(name);
  }
  return removed;
}

/** Whether a process with this id exists (EPERM: it does, another user's). */
function processIsAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
