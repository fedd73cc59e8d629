import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { OutputNotWritableError } from '../errors.js';
import { assertBinderOutput, type BinderOutputOptions } from '../_output-guard.js';
import { commitFile, removeOnInterrupt, removeStaleTemporaryFiles, temporaryPathBeside } from '../_temporary-file.js';

export interface OutputOptions extends BinderOutputOptions {
  /** Where to write until complete, when another thread must know it (print/threads/drawing-thread.ts); default: a fresh temporaryPathBeside. */
  temporaryPath?: string;
}

/** Writes are gathered to this size: pdfkit's small pieces, queued one by one, held 180 MB at 10,000 patients (docs/PERFORMANCE.md). */
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

  private constructor(
    public path: string, stream: WriteStream, tempPath: string,
    private readonly guard: BinderOutputOptions, private readonly forget: () => void,
  ) {
    this.stream = stream;
    this.tempPath = tempPath;
  }

  /**
   * Opens the output for `path` once the guard allows it (_output-guard.ts: never the store, a key or a file of the user's).
   * @throws OutputNotWritableError when the folder is missing or not writable; OutputIsStoreError, OutputIsKeyError, OutputExistsError
   */
  static async open(path: string, options: OutputOptions = {}): Promise<AtomicOutput> {
    const guard = { ...(options.storePath !== undefined ? { storePath: options.storePath } : {}), ...(options.force ? { force: true } : {}) };
    assertBinderOutput(path, guard);
    removeStaleTemporaryFiles(path);
    const tempPath = options.temporaryPath ?? temporaryPathBeside(path);
    const stream = createWriteStream(tempPath, { flags: 'wx' });
    // Known to an interrupt before it exists: Ctrl-C while it opens must not leave it behind.
    const forget = removeOnInterrupt(tempPath, () => stream.destroy());
    try {
      await once(stream, 'open');
    } catch (e) {
      forget();
      throw new OutputNotWritableError(path, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
    }
    return new AtomicOutput(path, stream, tempPath, guard, forget);
  }

  /**
   * Puts the file under `path` instead when committed (print's first volume, once the binder turns out to need several).
   * @throws as open()
   */
  retarget(path: string): void {
    assertBinderOutput(path, this.guard);
    this.path = path;
  }

  /** Bytes in the file or queued for it (not those still gathered). */
  get bytesOut(): number {
    return this.stream.bytesWritten + this.stream.writableLength;
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

  /** Flushes, closes, forces to disk and renames into place (an earlier binder goes). @throws OutputNotWritableError, and as open() when the name is now taken */
  async commit(): Promise<void> {
    // The document's end (binder-document.ts) has usually ended the stream already.
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
      // On disk before it takes the name: a power cut never leaves a binder of zeros (commitFile fsyncs).
      commitFile(this.tempPath, this.path, { replace: true });
      this.forget();
    } catch (e) {
      this.discard();
      throw new OutputNotWritableError(this.path, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
    }
  }

  /** Removes the temporary file; safe to call more than once. */
  discard(): void {
    this.forget();
    this.stream.destroy();
    rmSync(this.tempPath, { force: true });
  }
}
