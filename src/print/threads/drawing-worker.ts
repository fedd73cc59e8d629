// The print's drawing thread (drawing-thread.ts): opens the store, draws the binder, reports back.
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../../store/open-store.js';
import { drawBinder } from '../print-binder.js';
import { errorForThread } from './thread-errors.js';
import type { BinderThreadMessage, PrintOptions } from './drawing-thread.js';

const options = workerData as PrintOptions;
const post = (m: BinderThreadMessage): void => parentPort!.postMessage(m);
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
