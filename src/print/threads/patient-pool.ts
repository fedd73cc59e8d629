import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PaperchartError } from '../../errors.js';
import { errorFromThread, type ThreadError } from './thread-errors.js';
import type { PatientRecord } from '../../record/record.js';
import { preparePatient, type PatientPages, type PatientPagesContext } from '../patient-pages.js';
import type { TextShaper } from '../../text/shape-text.js';
import { unpackPages, type PackedPages } from './packed-pages.js';
import { nextTurn } from '../../_next-turn.js';
import { fontFilesRead, type FontFiles } from '../../text/font-files.js';

/** What every thread needs to prepare patients: the context without its shaper (each thread shapes with its own). */
export type PoolSetup = Omit<PatientPagesContext, 'shaper'>;

/** What a worker starts with: the setup, and the font files this thread has read, shared rather than read again. */
export interface WorkerSetup { setup: PoolSetup; fontFiles: FontFiles }

/** Messages between the binder and a worker (patient-worker.ts). */
export interface PoolTask { seq: number; record: PatientRecord }
export type PoolReply = { seq: number; result: Omit<PatientPages, 'pages'> & { packed: PackedPages } } | { seq: number; error: ThreadError };

/** A worker's result, its pages still packed: they are unpacked only when their turn to be drawn comes, so the objects are made and dropped at once instead of waiting in the queue (and surviving collections) meanwhile. */
type WorkerResult = Omit<PatientPages, 'pages'> & { packed: PackedPages };

/**
 * A patient in the queue, by id: its record is read only when it is sent or
 * prepared, and then let go; records read ahead outlived the young generation (measured).
 */
interface Task { id: string; result?: Promise<WorkerResult>; settled: boolean; pages?: PatientPages }

interface WorkerSlot { worker: Worker; busy: number }

/** Tasks in flight per worker: enough to keep it busy while the binder draws, few enough to bound memory. */
const IN_FLIGHT_PER_WORKER = 4;
const WORKER_URL = new URL('./patient-worker.js', import.meta.url);
/**
 * A cap on a worker's heap, so memory stays bounded however big the clinic is: 256 MB costs no speed against
 * 1 GB (docs/PERFORMANCE.md). A patient too big for it is done on the drawing thread instead.
 */
const WORKER_HEAP_MB = 256;
/** A worker's young generation: it keeps little from one patient to the next; 16 MB brought a 10,000-patient peak from 476 to 407 MB (docs/PERFORMANCE.md). */
const WORKER_YOUNG_MB = 16;

/**
 * Prepares patients (preparePatient) and hands the results back in the order
 * the records were given, so the binder is the same PDF whatever the number
 * of threads. `threads` counts the drawing thread: with 1 it prepares
 * patients too; with N, N - 1 workers prepare them while it draws (on two
 * cores one worker is best: 16.0 s against 17.5 s with two, docs/PERFORMANCE.md).
 */
export class PatientPool {
  private readonly workers: WorkerSlot[] = [];
  private readonly waiting = new Map<number, { resolve: (r: WorkerResult) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;
  private seq = 0;

  /** @throws Error when `threads` is more than 1 and the compiled worker is missing (run from the sources, dist/ not built) */
  constructor(private readonly setup: PoolSetup, private readonly shaper: TextShaper, threads: number) {
    if (threads <= 1) return;
    const workerPath = fileURLToPath(WORKER_URL);
    if (!existsSync(workerPath)) {
      throw new Error(`${threads} threads need the compiled patient worker ${workerPath}, which is missing: build dist/ (npm run build), or prepare patients on this thread (jobs 1)`);
    }
    for (let i = 0; i < threads - 1; i++) this.workers.push(this.startWorker());
  }

  /**
   * Results for the patients `ids`, in their order, each record read with
   * `read` when it is needed. While the next result is still on a worker,
   * this thread prepares a later patient itself instead of waiting: it has
   * the drawing to do too, and so takes as many patients as its spare time
   * allows. A record that fails throws its typed error (InvalidRecordError, RecordTooLargeError).
   * The first patients go to the workers when this is called, before the first result is asked for: they are
   * prepared while this thread does what comes before the patients' pages (the front matter's count).
   */
  prepare(ids: Iterable<string>, read: (id: string) => PatientRecord): AsyncGenerator<PatientPages> {
    const context: PatientPagesContext = { ...this.setup, shaper: this.shaper };
    if (this.workers.length === 0) return (async function* here() { for (const id of ids) yield preparePatient(read(id), context); })();
    const pool = this;
    const source = ids[Symbol.iterator]();
    /** Patients in binder order, each sent to a worker (result) or prepared here (pages). */
    const queue: Task[] = [];
    const capacity = this.workers.length * IN_FLIGHT_PER_WORKER;
    let exhausted = false;
    // Keep the workers fed, and as many patients again queued for this thread to take.
    const refill = (): void => {
      while (!exhausted && queue.length < 2 * capacity) {
        const next = source.next();
        if (next.done) exhausted = true;
        else queue.push({ id: next.value, settled: false });
      }
      for (const task of queue) {
        if (this.inFlight() >= capacity) break;
        if (!task.result && !task.pages) this.send(task, read(task.id));
      }
    };
    refill();
    return (async function* inTurn() {
      while (queue.length > 0) {
        const head = queue[0]!;
        const spare = head.pages || head.settled ? undefined : spareTask(queue);
        if (spare) {
          spare.pages = preparePatient(read(spare.id), context);
          refill();
          await nextTurn(); // lets the workers' results in
          continue;
        }
        queue.shift();
        const pages = head.pages ?? await pool.received(head, () => preparePatient(read(head.id), context));
        refill();
        yield pages;
      }
    })();
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map(({ worker }) => { worker.removeAllListeners('exit'); return worker.terminate(); }));
  }

  private startWorker(): WorkerSlot {
    const workerData: WorkerSetup = { setup: this.setup, fontFiles: fontFilesRead() };
    const worker = new Worker(WORKER_URL, { workerData, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
    const slot = { worker, busy: 0 };
    worker.on('message', (reply: PoolReply) => {
      slot.busy--;
      const waiter = this.waiting.get(reply.seq);
      this.waiting.delete(reply.seq);
      if ('result' in reply) waiter?.resolve(reply.result);
      else waiter?.reject(errorFromThread(reply.error));
    });
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => { if (code !== 0) this.fail(new Error(`a print worker stopped (exit code ${code})`)); });
    return slot;
  }

  /** Sends `task`'s record to the least busy worker; its result is awaited in order by prepare. */
  private send(task: Task, record: PatientRecord): void {
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const seq = this.seq++;
    task.result = new Promise<WorkerResult>((resolve, reject) => {
      if (this.failure) reject(this.failure);
      else this.waiting.set(seq, { resolve, reject });
    });
    // Never an unhandled rejection while it waits its turn.
    task.result.then(() => { task.settled = true; }, () => { task.settled = true; });
    slot.busy++;
    slot.worker.postMessage({ seq, record } satisfies PoolTask);
  }

  private inFlight(): number {
    return this.workers.reduce((n, slot) => n + slot.busy, 0);
  }

  /** A worker's result for `task`, unpacked; if the worker failed, `redo` prepares the patient on this thread. */
  private async received(task: Task, redo: () => PatientPages): Promise<PatientPages> {
    try {
      const { packed, ...rest } = await task.result!;
      return { ...rest, pages: unpackPages(packed, this.shaper.fonts) };
    } catch (e) {
      // A record's typed error (InvalidRecordError, RecordTooLargeError) arrives as itself (thread-errors.ts).
      if (e instanceof PaperchartError) throw e;
      // A worker that died (out of memory) has failed every task after it, which are then all done here:
      // the binder comes out the same, only slower.
      return redo();
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const waiter of this.waiting.values()) waiter.reject(e);
    this.waiting.clear();
  }
}

/** The patient this thread takes while the queue's head waits: the head itself if it was never sent, else the last one not sent. */
function spareTask(queue: readonly Task[]): Task | undefined {
  if (!queue[0]!.result) return queue[0];
  for (let i = queue.length - 1; i > 0; i--) if (!queue[i]!.result && !queue[i]!.pages) return queue[i];
  return undefined;
}
