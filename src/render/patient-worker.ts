// A print worker thread (patient-pool.ts): prepares the patients the binder sends, one message each.
import { parentPort, workerData } from 'node:worker_threads';
import { preparePatient } from './patient-pages.js';
import type { PoolReply, PoolSetup, PoolTask } from './patient-pool.js';
import { TextShaper } from './shape-text.js';

const context = { ...(workerData as PoolSetup), shaper: new TextShaper() };
parentPort!.on('message', ({ seq, record }: PoolTask) => {
  let reply: PoolReply;
  try {
    reply = { seq, result: preparePatient(record, context) };
  } catch (e) {
    reply = { seq, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(reply);
});
