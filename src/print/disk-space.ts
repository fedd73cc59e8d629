import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { DiskFilledError, NotEnoughDiskError } from '../errors.js';

// Upper estimates of what the binder's PDF costs (measured on the sample clinic:
// 1,000 patients took 2.8 KB a page besides the codes, a code's image 3.0 KB; about twice the text, and 2 MB for the fonts).
const TEXT_PAGE_BYTES = 6_000;
const CODE_BYTES = 3_200;
const FIXED_BYTES = 2_000_000;

/** About how many bytes a binder of `pages` pages carrying `codes` codes takes, erring high. */
export function estimateBinderBytes(pages: number, codes: number): number {
  return FIXED_BYTES + pages * TEXT_PAGE_BYTES + codes * CODE_BYTES;
}

/**
 * The least a binder of `patients` patients can take: each has at least one
 * summary page and one page of three codes (a data frame and its parity).
 * Refusing below this needs no layout, so it happens before anything is drawn.
 */
export function minimumBinderBytes(patients: number): number {
  return patients * (2 * MIN_PAGE_BYTES + 3 * MIN_CODE_BYTES);
}
// Lower bounds: the sample clinics' pages take 2.8 KB besides codes, a code 3.0 KB, the fonts at least 100 KB.
const MIN_PAGE_BYTES = 1_500;
const MIN_CODE_BYTES = 2_000;

/**
 * Projects a binder's final size from what is written so far, while it is
 * written: a print is refused when what is left would not fit, long before
 * the disk fills (a binder's patients are alphabetical, so the first ones are
 * a fair sample of the rest). The first patients are never judged: fonts and
 * the first images weigh on them.
 */
export class DiskProjection {
  constructor(private readonly outPath: string, private readonly patients: number) {}

  /** @throws NotEnoughDiskError when the rest, at the rate so far plus a tenth, needs more than the disk has free */
  check(done: number, bytesWritten: number): void {
    if (done < 25 || done >= this.patients) return;
    const rest = ((bytesWritten / done) * (this.patients - done)) * 1.1;
    const free = freeBytes(this.outPath);
    if (free < rest) throw new NotEnoughDiskError(this.outPath, bytesWritten + rest, free + bytesWritten);
  }
}

function freeBytes(path: string): number {
  const fs = statfsSync(dirname(path));
  return fs.bavail * fs.bsize;
}

/**
 * Fails before anything is drawn when the disk that will hold `outPath` has
 * less free space than `bytes`: a binder that runs out of disk half way is an
 * hour lost, and must never be left looking complete.
 * @throws NotEnoughDiskError
 */
export function assertRoomFor(outPath: string, bytes: number): void {
  const free = freeBytes(outPath);
  if (free < bytes) throw new NotEnoughDiskError(outPath, bytes, free);
}

/**
 * A write that failed because the disk filled after the estimate (another
 * program wrote meanwhile, or the estimate erred), as the user's error;
 * any other failure is returned as it is. A binder's temporary file is
 * already removed by then (AtomicOutput.discard); standard output is `incomplete`.
 */
export function asDiskFilled(e: unknown, path: string, incomplete = false): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' ? new DiskFilledError(path, incomplete) : e;
}
