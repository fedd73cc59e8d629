import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { once } from 'node:events';
import { OutputNotWritableError } from '../errors.js';
import { assertBinderOutput, type BinderOutputOptions } from '../_output-guard.js';

/** Outputs not yet committed or discarded, so an interrupt can remove their temporary files. */
const pending = new Set<{ discard(): void }>();

/** Removes every temporary file still being written (for Ctrl-C: no partial file is left behind). */
export function discardPendingOutputs(): void {
  for (const output of pending) output.discard();
}

/** Where the output for `path` is written until it is complete: beside it, hidden, named for this process. */
function partialPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
}

/**
 * For an output another thread of this process writes: on an interrupt,
 * `stop` that thread, then remove its partial file (signals reach only the
 * main thread). Returns the function that forgets it again.
 */
export function discardOnInterrupt(path: string, stop: () => void): () => void {
  const entry = { discard: (): void => { stop(); rmSync(partialPath(path), { force: true }); } };
  pending.add(entry);
  return () => pending.delete(entry);
}

/**
 * Writes are gathered to this size. pdfkit writes in small pieces (its
 * cross-reference table is one piece per PDF object, 330,000 for 10,000
 * patients, all at the end); queued one by one they held 180 MB at the end of
 * a 10,000-patient print (measured).
 */
const WRITE_SIZE = 1 << 16;

/**
 * A file written under a temporary name beside its destination and renamed
 * into place only by `commit()`: a crash or an error never leaves a
 * truncated file under the final name (rename is atomic on one filesystem).
 */
export class AtomicOutput {
  readonly stream: WriteStream;
  private readonly tempPath: string;
  private gathered: Uint8Array[] = [];
  private gatheredBytes = 0;
  private lastWrite: Promise<void> = Promise.resolve();

  private constructor(readonly path: string, stream: WriteStream, tempPath: string, private readonly guard: BinderOutputOptions) {
    this.stream = stream;
    this.tempPath = tempPath;
  }

  /**
   * Opens the output for `path` once the guard allows it (_output-guard.ts: never the store, a key or a file of the user's).
   * @throws OutputNotWritableError when the folder is missing or not writable; OutputIsStoreError, OutputIsKeyError, OutputExistsError
   */
  static async open(path: string, guard: BinderOutputOptions = {}): Promise<AtomicOutput> {
    assertBinderOutput(path, guard);
    const tempPath = partialPath(path);
    const stream = createWriteStream(tempPath, { flags: 'wx' });
    try {
      await once(stream, 'open');
    } catch (e) {
      throw new OutputNotWritableError(path, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
    }
    const output = new AtomicOutput(path, stream, tempPath, guard);
    pending.add(output);
    return output;
  }

  /** Writes `chunk`, gathered with others into writes of 64 KB. */
  write(chunk: Uint8Array): void {
    this.gathered.push(chunk);
    this.gatheredBytes += chunk.length;
    if (this.gatheredBytes >= WRITE_SIZE) this.flush();
  }

  /**
   * Resolves once the file has room for more (at once if it has), rejects once writing has failed.
   * Racing each wait against one long-lived error promise would leave a reaction on it per wait, held
   * until the print ends (a leak found in a heap snapshot); once() removes its listeners when done.
   */
  async drained(): Promise<void> {
    if (this.stream.errored) throw this.stream.errored;
    if (this.stream.writableNeedDrain) await once(this.stream, 'drain');
  }

  /** Writes what is gathered and ends the file; 'finish' follows once it is on disk. */
  end(): void {
    this.flush();
    this.stream.end();
  }

  /**
   * Resolves once everything given to write() so far is in the file and let go
   * of, so the writer may fill its buffers again; rejects once writing has failed.
   */
  async settled(): Promise<void> {
    this.flush();
    await this.lastWrite;
    if (this.stream.errored) throw this.stream.errored;
  }

  private flush(): void {
    if (this.gatheredBytes === 0) return;
    // One piece (a page's content, a block of the cross-reference table) is written as it is, not copied.
    const bytes = this.gathered.length === 1 ? this.gathered[0]! : Buffer.concat(this.gathered, this.gatheredBytes);
    // Writes complete in order: the last one's callback means all are done (with an error or not).
    this.lastWrite = new Promise((resolve) => this.stream.write(bytes, () => resolve()));
    this.gathered = [];
    this.gatheredBytes = 0;
  }

  /** Flushes, closes and renames into place. @throws OutputNotWritableError, and as open() when the name is now taken */
  async commit(): Promise<void> {
    // pdfkit's pipe has usually ended the stream already.
    if (!this.stream.writableEnded) this.stream.end();
    if (!this.stream.closed) await once(this.stream, 'close');
    // Asked again: during a long print something else may have been put under that name.
    try {
      assertBinderOutput(this.path, this.guard);
    } catch (e) {
      this.discard();
      throw e;
    }
    try {
      renameSync(this.tempPath, this.path);
      pending.delete(this);
    } catch (e) {
      this.discard();
      throw new OutputNotWritableError(this.path, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
    }
  }

  /** Removes the temporary file; safe to call more than once. */
  discard(): void {
    pending.delete(this);
    this.stream.destroy();
    rmSync(this.tempPath, { force: true });
  }
}
