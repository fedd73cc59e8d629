import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PatientRecord } from '../../record/record.js';
import { preparePatient, type PatientPages, type PatientPagesContext } from '../patient-pages.js';
import type { TextShaper } from '../../text/shape-text.js';
import { unpackPages, type PackedPages } from './packed-pages.js';
import { nextTurn } from '../../_next-turn.js';
import { fontFilesRead, type FontFiles } from '../../text/font-set.js';

/** What every thread needs to prepare patients: the context without its shaper (each thread shapes with its own). */
export type PoolSetup = Omit<PatientPagesContext, 'shaper'>;

/** What a worker starts with: the setup, and the font files this thread has read, shared rather than read again. */
export interface WorkerSetup { setup: PoolSetup; fontFiles: FontFiles }

/** Messages between the binder and a worker (patient-worker.ts). */
export interface PoolTask { seq: number; record: PatientRecord }
export type PoolReply = { seq: number; result: Omit<PatientPages, 'pages'> & { packed: PackedPages } } | { seq: number; error: string };

/** A worker's result, its pages still packed: they are unpacked only when their turn to be drawn comes, so the objects are made and dropped at once instead of waiting in the queue (and surviving collections) meanwhile. */
type WorkerResult = Omit<PatientPages, 'pages'> & { packed: PackedPages };

/**
 * A patient in the queue, by id: its record is read only when it is sent or
 * prepared, and then let go. Records read ahead and held until their patient
 * was drawn outlived the young generation and were most of what the drawing
 * thread moved to its old one (issue 6, measured).
 */
interface Task { id: string; result?: Promise<WorkerResult>; settled: boolean; pages?: PatientPages }

/** Tasks in flight per worker: enough to keep it busy while the binder draws, few enough to bound memory. */
const IN_FLIGHT_PER_WORKER = 4;
const WORKER_URL = new URL('./patient-worker.js', import.meta.url);
/**
 * A cap on a worker's heap, so memory stays bounded however big the clinic
 * is. With the patient layout done once and plain text measured from its words
 * (issue 6), 256 MB costs no speed against 1 GB (1,000 patients: 17.8 s
 * against 17.5 s, measured). A patient too big for it is done on the drawing
 * thread instead.
 */
const WORKER_HEAP_MB = 256;
/**
 * A worker's young generation, where its short-lived objects are made. V8's
 * default is larger; a worker keeps little from one patient to the next.
 * 16 MB, with the smaller caches of shape-text.ts, brought a 10,000-patient
 * print's peak from 476 to 407 MB at the same speed (measured).
 */
const WORKER_YOUNG_MB = 16;

/**
 * Prepares patients (preparePatient) and hands the results back in the order
 * the records were given, so the binder is the same PDF whatever the number
 * of threads. `threads` counts the drawing thread: with 1 it prepares
 * patients too; with N, N - 1 workers prepare them while it draws. On two
 * cores one worker beside the drawing thread printed 1,000 patients in 16.0 s
 * (26.5 s of CPU), two workers in 17.5 s (32 s of CPU: three threads on two
 * cores, each worker copying its results and warming its own caches) (measured).
 */
export class PatientPool {
  private readonly workers: { worker: Worker; busy: number }[] = [];
  private readonly waiting = new Map<number, { resolve: (r: WorkerResult) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;
  private seq = 0;

  constructor(private readonly setup: PoolSetup, private readonly shaper: TextShaper, threads: number) {
    // Run from the TypeScript sources (the tests do), there is no compiled worker
    // to start: this thread does the work, and the PDF is the same.
    if (threads <= 1 || !existsSync(fileURLToPath(WORKER_URL))) return;
    for (let i = 0; i < threads - 1; i++) {
      const workerData: WorkerSetup = { setup, fontFiles: fontFilesRead() };
      const worker = new Worker(WORKER_URL, { workerData, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
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

  /**
   * Results for the patients `ids`, in their order, each record read with
   * `read` when it is needed. While the next result is still on a worker,
   * this thread prepares a later patient itself instead of waiting: it has
   * the drawing to do too, and so takes as many patients as its spare time
   * allows. A record that fails throws its typed error (InvalidRecordError, RecordTooLargeError).
   */
  async *prepare(ids: Iterable<string>, read: (id: string) => PatientRecord): AsyncGenerator<PatientPages> {
    const context: PatientPagesContext = { ...this.setup, shaper: this.shaper };
    if (this.workers.length === 0) {
      for (const id of ids) yield preparePatient(read(id), context);
      return;
    }
    const source = ids[Symbol.iterator]();
    /** Patients in binder order, each sent to a worker (result) or prepared here (pages). */
    const queue: Task[] = [];
    const capacity = this.workers.length * IN_FLIGHT_PER_WORKER;
    const inFlight = (): number => this.workers.reduce((n, slot) => n + slot.busy, 0);
    let exhausted = false;
    const send = (task: Task): void => {
      const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
      const seq = this.seq++;
      task.result = new Promise<WorkerResult>((resolve, reject) => {
        if (this.failure) reject(this.failure);
        else this.waiting.set(seq, { resolve, reject });
      });
      // Awaited in order below; never an unhandled rejection meanwhile.
      task.result.then(() => { task.settled = true; }, () => { task.settled = true; });
      slot.busy++;
      slot.worker.postMessage({ seq, record: read(task.id) } satisfies PoolTask);
    };
    // Keep the workers fed, and as many patients again queued for this thread to take.
    const refill = (): void => {
      while (!exhausted && queue.length < 2 * capacity) {
        const next = source.next();
        if (next.done) exhausted = true;
        else queue.push({ id: next.value, settled: false });
      }
      for (const task of queue) {
        if (inFlight() >= capacity) break;
        if (!task.result && !task.pages) send(task);
      }
    };
    refill();
    while (queue.length > 0) {
      const head = queue[0]!;
      if (!head.pages && !head.settled) {
        const spare = head.result ? [...queue].reverse().find((t) => !t.result && !t.pages) : head;
        if (spare) {
          spare.pages = preparePatient(read(spare.id), context);
          refill();
          await nextTurn(); // lets the workers' results in
          continue;
        }
      }
      queue.shift();
      let pages = head.pages;
      if (!pages) {
        try {
          const { packed, ...rest } = await head.result!;
          pages = { ...rest, pages: unpackPages(packed, this.shaper.fonts) };
        } catch {
          // Errors cross threads as plain messages: redoing the patient here throws
          // the typed error with its remedy. A worker that died (out of memory) has
          // failed every task after it, which are then all done here: the binder
          // comes out the same, only slower.
          pages = preparePatient(read(head.id), context);
        }
      }
      refill();
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
