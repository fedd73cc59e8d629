// The print's drawing thread (drawing-thread.ts): waits for its print's options, opens the store, draws the binder, reports back.
import { parentPort } from 'node:worker_threads';
import { openStore } from '../../store/open-store.js';
import { drawBinder } from '../print-binder.js';
import { TextShaper } from '../../text/shape-text.js';
import { errorForThread } from './thread-errors.js';
import { applyPrintV8Settings } from './v8-settings.js';
import type { BinderThreadMessage, PrintOptions } from './drawing-thread.js';

// From the thread's start: a print started ahead runs its first patients' code before drawBinder sets them again.
applyPrintV8Settings();

const post = (m: BinderThreadMessage): void => parentPort!.postMessage(m);

parentPort!.once('message', async (options: PrintOptions) => {
  try {
    const db = openStore(options.storePath);
    try {
      post({ summary: await drawBinder({ ...options, db, onProgress: (progress) => post({ progress }), onTemporaryFile: (temporary) => post({ temporary }) }) });
    } finally {
      db.close();
    }
  } catch (e) {
    post({ error: errorForThread(e) });
  }
});

// Until the options come: every binder's text starts in the Latin faces, opened here (kept per thread, font-files.ts):
// 30-45 ms now that their ASCII shapes ship measured (word-shapes.ts), which a print started ahead pays early.
const shaper = new TextShaper();
for (const weight of ['regular', 'bold'] as const) shaper.shape('Paperchart 0123', 10, weight);
