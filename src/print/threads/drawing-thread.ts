import { statSync } from 'node:fs';
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
/** The same thread bundled into one file (scripts/bundle-threads.ts, run by `npm run build`). */
const BUNDLED_WORKER_URL = new URL('drawing-worker.bundle.js', WORKER_URL);
/** The drawing thread's two builds, its modules and its bundle, for a test to run each. */
export const DRAWING_THREAD_FILES = { modules: WORKER_URL, bundle: BUNDLED_WORKER_URL } as const;
/** The drawing thread's young generation: 24 MB halved its collections against 12 for 8 MB more at the peak (docs/PERFORMANCE.md). */
const DRAWING_YOUNG_MB = 24;

/** A drawing thread started ahead of its print (startDrawingThread), and whether it stopped before a print took it. */
let waiting: { worker: Worker; exited: boolean } | undefined;

/**
 * The file the drawing thread loads: its bundle, one file instead of some 150 modules, which takes 350-420 ms of CPU
 * from the thread's start to its print's options against 530-750 ms (profiled, a 1% supplement); the modules when the
 * bundle is missing or older than them (dist/ compiled again by tsc alone, not bundled since). The same PDF either way
 * (test/print/drawing-thread.test.ts). Undefined when the compiled thread is not there (paperchart run from its
 * sources unbuilt).
 */
export function drawingThreadUrl(): URL | undefined {
  const modules = statSync(WORKER_URL, { throwIfNoEntry: false });
  if (!modules) return undefined;
  const bundled = statSync(BUNDLED_WORKER_URL, { throwIfNoEntry: false });
  return bundled && bundled.mtimeMs >= modules.mtimeMs ? BUNDLED_WORKER_URL : WORKER_URL;
}

/** A drawing thread, which waits for its print's options (drawing-worker.ts) and meanwhile opens the fonts every print uses. */
function spawnDrawingThread(url = drawingThreadUrl()): { worker: Worker; exited: boolean } {
  // An installation problem, not the user's: no quiet fallback to drawing here, which would hide it.
  if (!url) throw new Error(`paperchart is not built: its drawing thread ${fileURLToPath(WORKER_URL)} is missing (run \`npm run build\`)`);
  const worker = new Worker(url, { resourceLimits: { maxYoungGenerationSizeMb: DRAWING_YOUNG_MB } });
  const spawned = { worker, exited: false };
  worker.once('exit', () => { spawned.exited = true; });
  return spawned;
}

/**
 * Starts the drawing thread before the print is known (bin/paperchart.js, for `print`): its code and fonts
 * load, 0.35-0.4 s of CPU bundled, while this thread parses the command line and plans the run. Until
 * printBinder takes it, it does not keep the process alive. Its loading shares the cores with this thread: a
 * print refused before drawing (a missing store) exits after 0.36-0.45 s bundled, 0.50-0.55 s from the modules,
 * against 0.39 s with no thread started ahead. Unbuilt, nothing is started: printBinder says so.
 */
export function startDrawingThread(): void {
  if (waiting) return;
  const url = drawingThreadUrl();
  if (!url) return;
  waiting = spawnDrawingThread(url);
  waiting.worker.unref();
  // Not taken by a print: an error in its start is the print's to report, through the thread printBinder starts instead.
  waiting.worker.on('error', () => undefined);
}

/** The drawing thread started ahead, while it still runs; else a new one. */
function drawingThread(): Worker {
  const started = waiting;
  waiting = undefined;
  if (started && !started.exited) {
    started.worker.ref();
    return started.worker;
  }
  return spawnDrawingThread().worker;
}

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
  // Chosen here and handed over: Ctrl-C arrives on this thread only, which stops the drawing, then removes the file.
  const temporaryPath = options.temporaryPath ?? temporaryPathBeside(options.outPath);
  const archive = options.archive ? { ...options.archive, temporaryPath: options.archive.temporaryPath ?? temporaryPathBeside(options.archive.path) } : undefined;
  const worker = drawingThread();
  worker.postMessage({ ...options, temporaryPath, ...(archive ? { archive } : {}) } satisfies PrintOptions);
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
