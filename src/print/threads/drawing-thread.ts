import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { openStore } from '../../store/open-store.js';
import * as errors from '../../errors.js';
import type { BinderOptions, BinderProgress, BinderSummary } from '../print-binder.js';
import { removeOnInterrupt, temporaryPathBeside } from '../../_temporary-file.js';

/** What print needs, all of it able to cross to another thread: the store by its path instead of an open handle. */
export type PrintOptions = Omit<BinderOptions, 'db' | 'onProgress'>;

/** Messages from the drawing thread (binder-worker.ts). */
export type BinderThreadMessage =
  | { progress: BinderProgress }
  | { summary: BinderSummary }
  | { error: { name: string; message: string; stack?: string; fields: Record<string, unknown> } };

const WORKER_URL = new URL('./drawing-worker.js', import.meta.url);
/**
 * The drawing thread's young generation, where its short-lived objects are
 * made (glyph runs, page operators, compressed chunks: nothing outlives a
 * page). V8's default for the process's first thread is 32 MB and cannot be
 * changed once Node is running; a worker thread's can. Smaller, it is
 * collected more often; larger, the heap stands higher. With records no
 * longer read ahead (patient-pool.ts), 24 MB halved the drawing thread's
 * collections against 12 (3,000 patients: 1,158 → 577, their pauses 2.4 →
 * 1.7 s) for 8 MB more at the peak (362 → 370 MB); 32 MB saved little more
 * for 29 MB (--trace-gc-nvp, whole command).
 */
const DRAWING_YOUNG_MB = 24;

/** Every typed error (src/errors.ts is their one home), rebuilt by name on this side so callers can still tell them apart. */
const PRINT_ERRORS = Object.fromEntries(
  Object.entries(errors).filter(([, v]) => typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof errors.PaperchartError)) as Record<string, { prototype: errors.PaperchartError }>;

/**
 * Prints the binder (drawBinder) on a thread of its own, opening the store
 * there, so that this thread keeps only the command line: the drawing's many
 * short-lived objects are made in a small young generation that V8 lets a
 * worker have and not the main thread. The PDF is the same byte for byte as
 * when drawn here. Run from the TypeScript sources (the tests do), there is
 * no compiled worker: it prints on this thread. The drawing code is loaded
 * only where it runs, so this thread does not hold pdfkit and fontkit too.
 * @throws as drawBinder and openStore, with the same error classes
 */
export async function printBinder(options: PrintOptions, onProgress?: (progress: BinderProgress) => void): Promise<BinderSummary> {
  if (!existsSync(fileURLToPath(WORKER_URL))) {
    const { drawBinder } = await import('../print-binder.js');
    const db = openStore(options.storePath);
    try {
      return await drawBinder({ ...options, db, ...(onProgress ? { onProgress } : {}) });
    } finally {
      db.close();
    }
  }
  // Chosen here and handed over: Ctrl-C arrives on this thread only, which stops the drawing, then removes the file.
  const temporaryPath = options.temporaryPath ?? temporaryPathBeside(options.outPath);
  const worker = new Worker(WORKER_URL, { workerData: { ...options, temporaryPath }, resourceLimits: { maxYoungGenerationSizeMb: DRAWING_YOUNG_MB } });
  const forget = removeOnInterrupt(temporaryPath, () => void worker.terminate());
  try {
    return await new Promise<BinderSummary>((resolve, reject) => {
      worker.on('message', (m: BinderThreadMessage) => {
        if ('progress' in m) onProgress?.(m.progress);
        else if ('summary' in m) resolve(m.summary);
        else reject(rebuildError(m.error));
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`the print thread stopped (exit code ${code}) before the binder was done`)));
    });
  } finally {
    forget();
    await worker.terminate();
  }
}

function rebuildError(e: Extract<BinderThreadMessage, { error: unknown }>['error']): Error {
  const kind = PRINT_ERRORS[e.name];
  const error: Error = kind ? Object.create(kind.prototype) : new Error();
  Object.defineProperty(error, 'message', { value: e.message, writable: true, configurable: true });
  Object.defineProperty(error, 'stack', { value: e.stack, writable: true, configurable: true });
  return Object.assign(error, e.fields);
}
