// The print as a person runs it: print the binder, then (asked to) prove it restores the store, and never leave
// behind a binder that would not.
import { rmSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import { BinderNotVerifiedError } from '../errors.js';
import { openStore } from '../store/open-store.js';
import { printBinder, type PrintOptions } from './threads/drawing-thread.js';
import type { BinderProgress, BinderSummary } from './print-binder.js';
import { asDiskFilled } from './disk-space.js';
// verify-binder is imported where used: it loads pdfjs and the zxing wasm (about a second), which a print need not pay.
import type { VerifyReport } from '../restore/verify-binder.js';

export interface VerifiedPrintHooks {
  /** Scan the printed binder at 200 dpi and check that it restores the store exactly. */
  verify?: boolean;
  onProgress?: (progress: BinderProgress) => void;
  /** The binder is written; called before the verification starts (it takes a while). */
  onPrinted?: (summary: BinderSummary) => void;
  /** The verification's report, problems included; called before a binder that failed it is removed. */
  onVerified?: (report: VerifyReport) => void;
}

export interface VerifiedPrintResult { summary: BinderSummary; verification?: VerifyReport }

/**
 * Prints the binder (printBinder) and, with `verify`, scans it back against
 * the store (verifyBinder) with the keys it was printed with. The store is
 * opened here first, so a bad store is named before a thread starts. A disk
 * that fills after the up-front estimate is a DiskFilledError. A binder that
 * does not verify is removed: it must not sit there looking complete.
 * @throws as printBinder and verifyBinder; DiskFilledError; BinderNotVerifiedError (exit 3)
 */
export async function printAndVerifyBinder(options: PrintOptions, hooks: VerifiedPrintHooks = {}): Promise<VerifiedPrintResult> {
  const db = openStore(options.storePath);
  try {
    const summary = await printBinder(options, hooks.onProgress).catch((e: unknown) => { throw asDiskFilled(e, options.outPath); });
    hooks.onPrinted?.(summary);
    if (!hooks.verify) return { summary };
    const { verifyBinder } = await import('../restore/verify-binder.js');
    // A binder in several volumes (print/volumes.ts) is verified as one: all its volumes together.
    const files = summary.volumes?.map((v) => v.path) ?? [options.outPath];
    const verification = await verifyBinder({ binderPath: files[0]!, ...(files.length > 1 ? { binderPaths: files } : {}), db,
      ...(options.signingKey ? { publicKey: createPublicKey(options.signingKey) } : {}),
      ...(options.encryptKey ? { decryptKey: options.encryptKey } : {}) });
    hooks.onVerified?.(verification);
    if (verification.problems.length) {
      for (const file of [...files, ...(summary.labelsPath ? [summary.labelsPath] : [])]) rmSync(file, { force: true });
      throw new BinderNotVerifiedError(files[0]!, verification.problems.length);
    }
    return { summary, verification };
  } finally {
    db.close();
  }
}
