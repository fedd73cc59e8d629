import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { freemem } from 'node:os';

/** Read size: large enough that the disk streams, small enough to stay out of the heap's way. */
const CHUNK_BYTES = 4 << 20;

/**
 * Reads the store file through once, front to back, so that the operating
 * system holds it in its file cache before SQLite reads it. A print reads
 * every row, but table by table and patient by patient, so on a store not
 * read since the machine started (the weekly print) each of those reads
 * waits for the disk at a scattered place. Read in order, the whole file
 * comes in at the disk's streaming speed instead: 10 s of a 100,000-patient
 * print from a cold cache (docs/PERFORMANCE.md).
 *
 * Skipped when the file is larger than half the memory the system has free:
 * it would then push its own start (and the clinic's other programs) out of
 * the cache before the print got there. Returns the bytes read (0 when
 * skipped). Errors are not reported here: warming is only a speed-up, and
 * SQLite's own reads report a store that cannot be read.
 */
export function warmStoreCache(path: string, memoryBudget = freemem() / 2): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return 0;
  }
  try {
    if (fstatSync(fd).size > memoryBudget) return 0;
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let total = 0;
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) total += n;
    return total;
  } catch {
    return 0;
  } finally {
    closeSync(fd);
  }
}
