import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { NotEnoughDiskError } from '../errors.js';

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
 * Fails before anything is drawn when the disk that will hold `outPath` has
 * less free space than `bytes`: a binder that runs out of disk half way is an
 * hour lost, and must never be left looking complete.
 * @throws NotEnoughDiskError
 */
export function assertRoomFor(outPath: string, bytes: number): void {
  const fs = statfsSync(dirname(outPath));
  const free = fs.bavail * fs.bsize;
  if (free < bytes) throw new NotEnoughDiskError(outPath, bytes, free);
}
