// A print worker thread (patient-pool.ts): prepares the patients the binder sends, one message each.
import { parentPort, workerData } from 'node:worker_threads';
import { preparePatient } from '../patient-pages.js';
import { packedBuffers, packPages } from './packed-pages.js';
import { errorForThread } from './thread-errors.js';
import type { PoolReply, PoolTask, WorkerSetup } from './patient-pool.js';
import { TextShaper } from '../../text/shape-text.js';
import { adoptFontFiles } from '../../text/font-files.js';

const { setup, fontFiles } = workerData as WorkerSetup;
adoptFontFiles(fontFiles);
const context = { ...setup, shaper: new TextShaper() };
parentPort!.on('message', ({ seq, record }: PoolTask) => {
  let reply: PoolReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const { pages, ...rest } = preparePatient(record, context);
    const packed = packPages(pages);
    reply = { seq, result: { ...rest, packed } };
    transfer = packedBuffers(packed);
  } catch (e) {
    reply = { seq, error: errorForThread(e) };
  }
  parentPort!.postMessage(reply, transfer);
});
