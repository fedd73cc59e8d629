import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BinderOptions, BinderProgress, BinderSummary } from '../print-binder.js';
import { removeOnInterrupt, temporaryPathBeside } from '../../_temporary-file.js';
import { errorFromThread, type ThreadError } from './thread-errors.js';

/** What print needs, all of it able to cross to another thread: the store by its path instead of an open handle. */
export type PrintOptions = Omit<BinderOptions, 'db' | 'onProgress' | 'onTemporaryFile'>;

/** Messages from the drawing thread (drawing-worker.ts). */
export type BinderThreadMessage =
  | { progress: BinderProgress }
  | { summary: BinderSummary }
  | { temporary: string }
  | { error: ThreadError };

/**
 * The compiled drawing thread, beside this module in dist/. Run from the
 * TypeScript sources (the tests do), this module is src/'s and the thread is
 * still dist/'s: `npm test` builds first.
 */
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? '../../../dist/print/threads/drawing-worker.js' : './drawing-worker.js', import.meta.url);
/** The drawing thread's young generation: 24 MB halved its collections against 12 for 8 MB more at the peak (docs/PERFORMANCE.md). */
const DRAWING_YOUNG_MB = 24;

/**
 * Prints the binder (drawBinder) on a thread of its own, opening the store
 * there, so that this thread keeps only the command line: the drawing's many
 * short-lived objects are made in a small young generation that V8 lets a
 * worker have and not the main thread. The PDF is the same byte for byte as
 * when drawn here. The drawing code is loaded only where it runs, so this
 * thread does not hold pdfkit and fontkit too.
 * @throws as drawBinder and openStore, with the same error classes; an Error when paperchart is not built (no compiled drawing thread)
 */
export async function printBinder(options: PrintOptions, onProgress?: (progress: BinderProgress) => void): Promise<BinderSummary> {
  const workerPath = fileURLToPath(WORKER_URL);
  // An installation problem, not the user's: no quiet fallback to drawing here, which would hide it.
  if (!existsSync(workerPath)) throw new Error(`paperchart is not built: its drawing thread ${workerPath} is missing (run \`npm run build\`)`);
  // Chosen here and handed over: Ctrl-C arrives on this thread only, which stops the drawing, then removes the file.
  const temporaryPath = options.temporaryPath ?? temporaryPathBeside(options.outPath);
  const archive = options.archive ? { ...options.archive, temporaryPath: options.archive.temporaryPath ?? temporaryPathBeside(options.archive.path) } : undefined;
  const worker = new Worker(WORKER_URL, { workerData: { ...options, temporaryPath, ...(archive ? { archive } : {}) }, resourceLimits: { maxYoungGenerationSizeMb: DRAWING_YOUNG_MB } });
  const forget = removeOnInterrupt(temporaryPath, () => void worker.terminate());
  const forgetArchive = archive ? removeOnInterrupt(archive.temporaryPath!, () => void worker.terminate()) : () => undefined;
  // A later volume's file (print/volumes.ts), named before it is made.
  const forgetVolumes: (() => void)[] = [];
  try {
    return await new Promise<BinderSummary>((resolve, reject) => {
      worker.on('message', (m: BinderThreadMessage) => {
        if ('progress' in m) onProgress?.(m.progress);
        else if ('temporary' in m) forgetVolumes.push(removeOnInterrupt(m.temporary, () => void worker.terminate()));
        else if ('summary' in m) resolve(m.summary);
        else reject(errorFromThread(m.error));
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`the print thread stopped (exit code ${code}) before the binder was done`)));
    });
  } finally {
    forget();
    forgetArchive();
    for (const forgetVolume of forgetVolumes) forgetVolume();
    await worker.terminate();
  }
}
