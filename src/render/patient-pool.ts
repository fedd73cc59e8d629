import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PatientRecord } from '../record/record.js';
import { preparePatient, type PatientPages, type PatientPagesContext } from './patient-pages.js';
import type { TextShaper } from './shape-text.js';

/** What every thread needs to prepare patients: the context without its shaper (each thread shapes with its own). */
export type PoolSetup = Omit<PatientPagesContext, 'shaper'>;

/** Messages between the binder and a worker (patient-worker.ts). */
export interface PoolTask { seq: number; record: PatientRecord }
export type PoolReply = { seq: number; result: PatientPages } | { seq: number; error: string };

/** Tasks in flight per worker: enough to keep it busy while the binder draws, few enough to bound memory. */
const IN_FLIGHT_PER_WORKER = 4;
const WORKER_URL = new URL('./patient-worker.js', import.meta.url);
/**
 * A cap on a worker's heap, so a runaway cannot take the machine. Tighter caps
 * cost more than they save: at 192 or 256 MB the workers spent a fifth of their
 * time collecting garbage and --jobs 2 printed 1,000 patients no faster than
 * --jobs 1 (29 s); at 1 GB, 25 s (measured). A patient too big for it is done
 * on the main thread instead.
 */
const WORKER_HEAP_MB = 1024;

/**
 * Prepares patients (preparePatient) on this thread (jobs = 1) or on worker
 * threads, and hands the results back in the order the records were given,
 * so the binder is the same PDF whatever the number of jobs.
 */
export class PatientPool {
  private readonly workers: { worker: Worker; busy: number }[] = [];
  private readonly waiting = new Map<number, { resolve: (r: PatientPages) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;
  private seq = 0;

  constructor(private readonly setup: PoolSetup, private readonly shaper: TextShaper, jobs: number) {
    // Run from the TypeScript sources (the tests do), there is no compiled worker
    // to start: this thread does the work, and the PDF is the same.
    if (jobs <= 1 || !existsSync(fileURLToPath(WORKER_URL))) return;
    for (let i = 0; i < jobs; i++) {
      const worker = new Worker(WORKER_URL, { workerData: setup, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
      const slot = { worker, busy: 0 };
      worker.on('message', (reply: PoolReply) => {
        slot.busy--;
        const waiter = this.waiting.get(reply.seq);
        this.waiting.delete(reply.seq);
        if ('result' in reply) waiter?.resolve(reply.result);
        else waiter?.reject(new Error(reply.error));
      });
      worker.on('error', (e) => this.fail(e));
      worker.on('exit', (code) => { if (code !== 0) this.fail(new Error(`a print worker stopped (exit code ${code})`)); });
      this.workers.push(slot);
    }
  }

  /** Results for `records`, in their order. A record that fails throws its typed error (InvalidRecordError, RecordTooLargeError). */
  async *prepare(records: Iterable<PatientRecord>): AsyncGenerator<PatientPages> {
    const context: PatientPagesContext = { ...this.setup, shaper: this.shaper };
    if (this.workers.length === 0) {
      for (const record of records) yield preparePatient(record, context);
      return;
    }
    const source = records[Symbol.iterator]();
    const queue: { record: PatientRecord; result: Promise<PatientPages> }[] = [];
    const send = (): void => {
      const next = source.next();
      if (next.done) return;
      const record = next.value;
      const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
      const seq = this.seq++;
      const result = new Promise<PatientPages>((resolve, reject) => {
        if (this.failure) reject(this.failure);
        else this.waiting.set(seq, { resolve, reject });
      });
      result.catch(() => undefined); // awaited in order below; never an unhandled rejection meanwhile
      slot.busy++;
      slot.worker.postMessage({ seq, record } satisfies PoolTask);
      queue.push({ record, result });
    };
    for (let i = 0; i < this.workers.length * IN_FLIGHT_PER_WORKER; i++) send();
    while (queue.length > 0) {
      const { record, result } = queue.shift()!;
      let pages: PatientPages;
      try {
        pages = await result;
      } catch {
        // Errors cross threads as plain messages: redoing the patient here throws
        // the typed error with its remedy. A worker that died (out of memory) has
        // failed every task after it, which are then all done here: the binder
        // comes out the same, only slower.
        pages = preparePatient(record, context);
      }
      send();
      yield pages;
    }
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map(({ worker }) => { worker.removeAllListeners('exit'); return worker.terminate(); }));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const waiter of this.waiting.values()) waiter.reject(e);
    this.waiting.clear();
  }
}
