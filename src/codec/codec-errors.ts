// Failures of the paper format a user can act on (FORMAT §9 names when each is raised).
// Messages name runs, patients and frame numbers, never a record's contents.
import { PaperchartError } from '../errors.js';

/** Frames of a patient are named by run and patient id; a manifest has no patient. */
function who(runId: string, patientId: string | null): string {
  return patientId === null ? `run ${runId} manifest` : `run ${runId} patient ${patientId}`;
}

export class UnknownFormatError extends PaperchartError {
  constructor(readonly prefix: string) {
    super('E_UNKNOWN_FORMAT', `code text starting ${JSON.stringify(prefix)} is not a paperchart PC1 code`,
      'scan only the codes printed by paperchart; a newer format needs a newer paperchart');
  }
}

export class CorruptFrameError extends PaperchartError {
  constructor(readonly detail: string) {
    super('E_CORRUPT_FRAME', `code text is damaged: ${detail}`,
      'rescan the code; if it keeps failing, the other codes of the patient may still restore the record');
  }
}

/** Missing code numbers listed one by one at most: more than any record printed with the default --max-codes has. */
export const MAX_LISTED_MISSING = 1000;
/** Missing codes a message names one by one at most; more are named as ranges. */
const MAX_NAMED_ONE_BY_ONE = 50;
/** Ranges of missing codes a message names at most before "…". */
const MAX_NAMED_RANGES = 20;

export class InsufficientFramesError extends PaperchartError {
  /** Missing code numbers (1-based, ascending): all of them, or the first MAX_LISTED_MISSING when more are missing. */
  readonly missing: readonly number[];
  /** How many codes are missing in all. */
  readonly missingCount: number;
  /** The missing codes: up to 50 one by one ("1, 4, 6"), more as ranges ("2, 5–9, 12–65535"), at most 20 ranges and then "…". */
  readonly missingText: string;
  /**
   * @param missingRanges inclusive [first, last] ranges of missing code numbers, ascending: as many as
   *   the gaps between codes read, never one entry per code a header merely declared
   */
  constructor(readonly runId: string, readonly patientId: string | null, missingRanges: readonly (readonly [number, number])[], readonly needed: number) {
    let count = 0;
    for (const [a, b] of missingRanges) count += b - a + 1;
    const listed: number[] = [];
    for (const [a, b] of missingRanges) for (let i = a; i <= b && listed.length < MAX_LISTED_MISSING; i++) listed.push(i);
    // A few codes are named one by one, as a person rescanning a page wants them; many as ranges.
    const text = count <= MAX_NAMED_ONE_BY_ONE ? listed.join(', ')
      : missingRanges.slice(0, MAX_NAMED_RANGES).map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`)).join(', ') +
        (missingRanges.length > MAX_NAMED_RANGES ? ', …' : '');
    const all = count > MAX_NAMED_ONE_BY_ONE ? ` (${count} in all)` : '';
    super('E_MISSING_CODES', `${who(runId, patientId)}: codes ${text} missing${all}, ${needed} more needed after erasure recovery`,
      'rescan the pages holding the missing codes and run restore with all scans');
    this.missing = listed;
    this.missingCount = count;
    this.missingText = text;
  }
}

export class DigestMismatchError extends PaperchartError {
  constructor(readonly runId: string, readonly patientId: string | null) {
    super('E_DIGEST_MISMATCH', `${who(runId, patientId)}: reassembled record does not match its digest`,
      'the codes were altered or mixed up; rescan the original pages and do not import this record');
  }
}

export class BadSignatureError extends PaperchartError {
  constructor(readonly runId: string, readonly patientId: string | null) {
    super('E_BAD_SIGNATURE', `${who(runId, patientId)}: signature does not verify with the given public key`,
      'check that --pubkey is the clinic key whose fingerprint is on the binder cover; otherwise the codes were forged');
  }
}

export class UnsignedRecordError extends PaperchartError {
  constructor(readonly runId: string, readonly patientId: string | null, detail: string) {
    super('E_UNSIGNED', `${who(runId, patientId)}: ${detail}`,
      'pass the clinic public key with --pubkey, or --trust-unsigned if you accept unverified paper');
  }
}

export class DecryptError extends PaperchartError {
  constructor(readonly runId: string, readonly patientId: string | null, detail: string) {
    super('E_DECRYPT', `${who(runId, patientId)}: cannot decrypt (${detail})`,
      'pass the encryption key the binder was printed with (--decrypt-key FILE, 32 bytes)');
  }
}

export class RecordTooLargeError extends PaperchartError {
  constructor(readonly patientId: string, readonly codes: number, readonly cap: number) {
    super('E_RECORD_TOO_LARGE', `patient ${patientId}: record needs ${codes} codes, the cap is ${cap}`,
      'raise the cap on codes per patient, or print this patient\'s record from the records system');
  }
}

export class KeyError extends PaperchartError {
  constructor(detail: string) {
    super('E_KEY', detail, 'use a key made by `paperchart keygen` (Ed25519 PEM) or a 32-byte encryption key');
  }
}
