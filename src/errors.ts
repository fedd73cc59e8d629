/**
 * Failures a user can act on: every user-facing error class lives here. Each
 * carries a stable code (E_...), a one-line message naming the bad value, a
 * remedy, and an exit code from EXIT; the CLI prints the message and the
 * remedy and returns the exit code. Anything that is not a PaperchartError is a bug.
 * Messages never include a record's clinical contents.
 */

/** Exit codes by meaning: the README's "Exit values" lists the same. */
export const EXIT = {
  ok: 0,
  /** An unknown command, a missing or malformed option. */
  usage: 1,
  /** Bad input, nothing written: a store, template, key, output or scan refused. */
  badInput: 2,
  /** Restore left patients out, or verify found a binder that would not restore the store exactly. */
  restoreIncomplete: 3,
  /** Interrupted (bin/paperchart.js): 128 + the signal's number, as a shell reports it. */
  hangup: 129,
  interrupt: 130,
  terminate: 143,
} as const;

export class PaperchartError extends Error {
  /** `options.cause`: the lower-level failure (a decipher or inflate error), kept for a person debugging; never shown. */
  constructor(
    readonly code: string,
    message: string,
    readonly remedy: string,
    readonly exitCode: number = EXIT.badInput,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

// ── The command line ──

export class UsageError extends PaperchartError {
  constructor(message: string) {
    super('E_USAGE', message, 'run `paperchart --help` for the commands and their options', EXIT.usage);
  }
}

// ── The records store: opening it, reading it for print or export ──

export class StoreNotFoundError extends PaperchartError {
  constructor(readonly path: string) {
    super('E_STORE_NOT_FOUND', `records store not found: ${path}`,
      'check the --db path; `paperchart sample --db FILE` makes a sample store');
  }
}

export class NotAStoreError extends PaperchartError {
  constructor(readonly path: string, detail: string) {
    super('E_NOT_A_STORE', `${path} is not a paperchart records store (${detail})`,
      'pass the SQLite file your records system exports for paperchart (docs/SCHEMA.md)');
  }
}

export class SchemaVersionError extends PaperchartError {
  constructor(readonly path: string, readonly found: number, readonly expected: number) {
    super('E_SCHEMA_VERSION', `${path} has schema version ${found}, this paperchart reads version ${expected}`,
      found < expected
        ? `upgrade the store with \`paperchart migrate --db ${path}\``
        : 'install a newer paperchart that reads this schema version');
  }
}

export class EmptyStoreError extends PaperchartError {
  constructor(readonly path: string) {
    super('E_EMPTY_STORE', `${path} holds no patients`,
      'check that the store was exported completely; an empty binder would be mistaken for a complete one');
  }
}

/** The store is ours and current, but what it holds breaks the schema (docs/SCHEMA.md): found before anything is written. */
export class StoreContentError extends PaperchartError {
  constructor(readonly path: string, readonly problem: string, remedy: string) {
    super('E_STORE_CONTENT', `${path} cannot be used: ${problem}`, remedy);
  }
}

/** Another program holds the store's write lock longer than paperchart waits for it. */
export class StoreBusyError extends PaperchartError {
  constructor(readonly path: string, readonly waitedSeconds: number) {
    super('E_STORE_BUSY', `${path}: the store is being written by another program (still locked after ${waitedSeconds} s)`,
      'run again once the other program (the records system\'s export job, a restore) has finished writing; nothing was written');
  }
}

export class InvalidRecordError extends PaperchartError {
  constructor(readonly patientId: string, readonly field: string, readonly value: string, expected: string) {
    super('E_INVALID_RECORD', `patient ${patientId}: ${field}=${JSON.stringify(value)} is not a valid value, expected ${expected}`,
      'correct the record in the source system and export the store again');
  }
}

export class PatientNotFoundError extends PaperchartError {
  constructor(readonly patientId: string) {
    super('E_PATIENT_NOT_FOUND', `no patient with id ${patientId} in the store`,
      'list patient ids with `paperchart export --db FILE` or check the id');
  }
}

// ── Print's other inputs and every output file (binder, key files, export) ──

export class TemplateError extends PaperchartError {
  constructor(readonly template: string, detail: string) {
    super('E_TEMPLATE', `template ${template}: ${detail}`,
      'pick a shipped template (default, es-a4) or fix the template file (templates/README.md)');
  }
}

export class OutputNotWritableError extends PaperchartError {
  constructor(readonly path: string, detail: string) {
    super('E_OUTPUT_NOT_WRITABLE', `cannot write ${path} (${fileProblem(detail, 'write')})`,
      'choose an output path in a folder that exists and that you may write to');
  }
}

/** How every remedy for a refused output begins. */
const NEW_NAME = 'choose another output name, such as binder.pdf';

export class OutputIsStoreError extends PaperchartError {
  constructor(readonly path: string, detail: string) {
    super('E_OUTPUT_IS_STORE', `${path} is ${detail}; paperchart never writes over a records store`,
      `${NEW_NAME} (--force does not change this)`);
  }
}

export class OutputIsKeyError extends PaperchartError {
  constructor(readonly path: string, detail: string) {
    super('E_OUTPUT_IS_KEY', `${path} is ${detail}; paperchart never writes over a key`,
      `${NEW_NAME} (--force does not change this)`);
  }
}

export class OutputExistsError extends PaperchartError {
  /** `forcible`: print's --force would replace it; otherwise the file must be moved away. */
  constructor(readonly path: string, detail: string, forcible: boolean) {
    super('E_OUTPUT_EXISTS', `${path} already exists: ${detail}`,
      forcible ? `${NEW_NAME}, or add --force to replace it` : 'choose another name, or move that file away first');
  }
}

export class NotEnoughDiskError extends PaperchartError {
  constructor(readonly path: string, readonly neededBytes: number, readonly freeBytes: number) {
    super('E_DISK_FULL',
      `not enough disk space for ${path}: the binder needs about ${Math.ceil(neededBytes / 1e6)} MB, the disk has ${Math.floor(freeBytes / 1e6)} MB free`,
      'free space on that disk, or write the binder to another disk with --out');
  }
}

/** The disk filled while a file was written, after the up-front estimate found room; the file was removed. */
export class DiskFilledError extends PaperchartError {
  constructor(readonly path: string, readonly incomplete = false) {
    super('E_DISK_FULL', `the disk filled up while writing ${path}; ${incomplete ? 'what was written is incomplete' : 'nothing was written'}`,
      incomplete ? 'free space on that disk, remove the incomplete file and run again'
        : 'free space on that disk (or write to another disk with --out) and run again');
  }
}

export class KeysNotWrittenError extends PaperchartError {
  constructor(readonly path: string, readonly reason: string) {
    super('E_KEYS_NOT_WRITTEN', `cannot write the key files in ${path} (${reason}); no key file was left there`,
      reason.startsWith('ENOSPC') ? 'free space on that disk and run keygen again'
        : 'choose a folder you may write to and run keygen again');
  }
}

// ── Keys ──

export class KeyError extends PaperchartError {
  constructor(detail: string) {
    super('E_KEY', detail, 'use a key made by `paperchart keygen` (Ed25519 PEM) or a 32-byte encryption key');
  }
}

/**
 * The keys given do not fit the codes read: an option is missing or names the
 * wrong key. Decided from the first codes read (restore/key-check.ts), so a
 * person hears the one option to change within seconds; the paper is fine,
 * so the remedy never says to rescan or reprint. Nothing was written.
 */
export class KeyProblemError extends PaperchartError {
  constructor(readonly problem: string, message: string, remedy: string) {
    super('E_KEY_PROBLEM', `${message}; nothing was written`, remedy);
  }
}

// ── The paper format (FORMAT §9 names when each is raised) ──
// Messages name runs, patients and frame numbers, never a record's contents.

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

/** `reason`: which check failed (the container's layout, its digest, inflating it); the message stays the person's. */
export class DigestMismatchError extends PaperchartError {
  constructor(readonly runId: string, readonly patientId: string | null, readonly reason = 'the content does not match its digest', options?: ErrorOptions) {
    super('E_DIGEST_MISMATCH', `${who(runId, patientId)}: reassembled record does not match its digest`,
      'the codes were altered or mixed up; rescan the original pages and do not import this record', EXIT.badInput, options);
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
  constructor(readonly runId: string, readonly patientId: string | null, detail: string, options?: ErrorOptions) {
    super('E_DECRYPT', `${who(runId, patientId)}: cannot decrypt (${detail})`,
      'pass the encryption key the binder was printed with (--decrypt-key FILE, 32 bytes)', EXIT.badInput, options);
  }
}

export class RecordTooLargeError extends PaperchartError {
  constructor(readonly patientId: string, readonly codes: number, readonly cap: number) {
    super('E_RECORD_TOO_LARGE', `patient ${patientId}: record needs ${codes} codes, the cap is ${cap}`,
      'raise the cap on codes per patient, or print this patient\'s record from the records system');
  }
}

// ── Scans and PDFs read back ──
// Messages name the file and the problem, never a record's contents.

export class UnreadablePdfError extends PaperchartError {
  constructor(readonly file: string, readonly detail: string) {
    super('E_UNREADABLE_PDF', `${file} is not a readable PDF (${detail})`,
      'check that the file was copied or downloaded completely (a truncated PDF lacks its %%EOF end marker); ' +
      'scan or save the pages again as PDF, PNG or JPEG');
  }
}

export class UnreadableTiffError extends PaperchartError {
  constructor(readonly file: string, readonly detail: string) {
    super('E_UNREADABLE_TIFF', `${file} is not a readable TIFF (${detail})`,
      'check that the file was copied completely; scan or save the pages again as TIFF, PDF, PNG or JPEG');
  }
}

export class PdfPageRangeError extends PaperchartError {
  constructor(readonly file: string, readonly page: number, readonly pageCount: number) {
    super('E_PDF_PAGE_RANGE', `${file} has ${pageCount} page${pageCount === 1 ? '' : 's'}, there is no page ${page}`,
      `pass page numbers from 1 to ${pageCount}`);
  }
}

/** A page or image larger than any scan: refused before it is decoded, so it cannot exhaust memory. */
export class OversizedImageError extends PaperchartError {
  constructor(readonly file: string, readonly page: number | undefined, readonly width: number, readonly height: number, readonly maxPixels: number) {
    super('E_IMAGE_TOO_LARGE',
      `${file}${page === undefined ? '' : ` page ${page}`} is ${Math.round(width)}×${Math.round(height)} pixels, ` +
      `more than the ${Math.round(maxPixels / 1e6)} million a page may have (a 600-dpi Letter or A4 scan); not read`,
      'scan the page again at 600 dpi or less, on paper no larger than Legal or A4');
  }
}

// ── Restore and verify ──
// Messages name files and patients, never a record's contents.

export class RestoreIncompleteError extends PaperchartError {
  constructor(readonly incomplete: number, readonly refused: number, readonly missing: number) {
    super('E_RESTORE_INCOMPLETE',
      `${incomplete + refused + missing} patient${incomplete + refused + missing === 1 ? '' : 's'} not restored ` +
      `(${incomplete} incomplete, ${refused} refused, ${missing} missing)`,
      'rescan the binder pages the report names and run restore again with all scans; refused records were not imported',
      EXIT.restoreIncomplete);
  }
}

export class UnknownInputError extends PaperchartError {
  constructor(readonly file: string, detail: string) {
    super('E_RESTORE_INPUT', `cannot read restore input ${file} (${detail})`,
      'pass PDF, PNG, JPEG, TIFF, PNM, WebP or HEIF scans, a folder of them, a text file with one code per line, or - for standard input');
  }
}

export class EmptyInputError extends PaperchartError {
  constructor(readonly file: string) {
    super('E_RESTORE_EMPTY_INPUT', `${file} holds no PDF, PNG, JPEG, TIFF, PNM, WebP, HEIF or text files`,
      'point restore at the folder holding the scans');
  }
}

/** Nothing read was a paperchart code: photos, blank pages, another kind of QR code. Nothing is written. */
export class NoCodesError extends PaperchartError {
  constructor(readonly inputs: readonly string[], readonly pagesRead: number, readonly otherTexts: number) {
    super('E_RESTORE_NO_CODES',
      `no paperchart code found in ${inputs.slice(0, 3).join(', ')}${inputs.length > 3 ? ', …' : ''}` +
      ` (${pagesRead} page${pagesRead === 1 ? '' : 's'} or image${pagesRead === 1 ? '' : 's'} read` +
      `${otherTexts > 0 ? `, ${otherTexts} code${otherTexts === 1 ? '' : 's'} of another kind` : ''}); nothing was written`,
      'pass scans of the binder pages that carry QR codes (after each patient\'s summary), at 200 dpi or more, upright and in focus');
  }
}

/** A decoded record that does not have the schema's exact tables, fields and types: it was not written by paperchart. */
export class MalformedRecordError extends PaperchartError {
  constructor(readonly patientId: string, readonly where: string, problem: string) {
    super('E_MALFORMED_RECORD', `patient ${patientId}: ${where} ${problem}`,
      'this record was not made by paperchart and was not imported: restore the patient from a signed binder (--pubkey) or the source system');
  }
}

export class RestoreConflictError extends PaperchartError {
  constructor(readonly patientIds: readonly string[]) {
    super('E_RESTORE_CONFLICT',
      `${patientIds.length} patient${patientIds.length === 1 ? '' : 's'} in the store differ from the paper (${patientIds.slice(0, 10).join(', ')}` +
      `${patientIds.length > 10 ? ', …' : ''}); nothing was written`,
      'rerun with --on-conflict keep (keep the newer store record) or --on-conflict replace (take the paper)');
  }
}

/** restore --db names a place where no store can be made (a folder that does not exist). Checked before any scan is read. */
export class RestoreTargetError extends PaperchartError {
  constructor(readonly path: string, detail: string) {
    super('E_RESTORE_TARGET', `cannot restore into ${path}: ${detail}; nothing was written`,
      'give --db an existing store, or a new file name in a folder that exists and that you may write to');
  }
}

export class RestoreWriteError extends PaperchartError {
  constructor(readonly path: string, detail: string) {
    super('E_RESTORE_WRITE', `could not write the restored records into ${path} (${detail}); the store is unchanged`,
      'check the store is a paperchart store you may write to, and that no patient shares an MRN with another');
  }
}

/** The disk filled up while the restore wrote. The write was rolled back, or the new store removed. */
export class RestoreDiskFullError extends PaperchartError {
  constructor(readonly path: string, newStore: boolean) {
    super('E_DISK_FULL', `the disk holding ${path} filled up during the restore; ${newStore ? 'no store was created' : 'the store is unchanged'}`,
      'free space on that disk (a restored store takes about half the size of its code texts) and run restore again, or restore to another disk');
  }
}

export class BinderNotVerifiedError extends PaperchartError {
  constructor(readonly binder: string, readonly problems: number) {
    super('E_BINDER_NOT_VERIFIED', `${binder} would not restore the store exactly (${problems} problem${problems === 1 ? '' : 's'})`,
      'do not rely on this binder: print it again and verify, and keep the previous binder until one verifies',
      EXIT.restoreIncomplete);
  }
}

// ── The scan station ──

export class NoManifestError extends PaperchartError {
  constructor(readonly binder: string) {
    super('E_NO_MANIFEST', `${binder} holds no readable run manifest codes`,
      'pass the binder PDF paperchart printed (its front matter carries the manifest), or leave out --binder and scan the manifest page first');
  }
}

/** `station --serve` could not listen: the port is taken, or the address is not this machine's. */
export class StationServeError extends PaperchartError {
  constructor(readonly address: string, detail: string) {
    super('E_STATION_SERVE', `cannot serve the scan station on ${address} (${detail})`,
      'choose another port with --port N (or stop the program using it), or leave out --host to serve on every network address');
  }
}

// ── The run register, the patient selection, the off-site archive (issue 28) ──

export class RegisterError extends PaperchartError {
  constructor(readonly path: string, readonly reason: string, remedy = 'make its folder writable, or name another register file with --register FILE') {
    super('E_REGISTER', `the run register ${path} cannot be used (${reason})`, remedy);
  }
}

export class PatientSelectionError extends PaperchartError {
  constructor(message: string, remedy: string) {
    super('E_SELECTION', message, remedy);
  }
}

export class ArchiveError extends PaperchartError {
  constructor(readonly path: string, readonly reason: string,
    remedy = 'check that this is the run\'s archive, whole, and that the passphrase file or key is the one it was written with; nothing was written') {
    super('E_ARCHIVE', `the archive ${path} cannot be read: ${reason}`, remedy);
  }
}

export class PassphraseError extends PaperchartError {
  constructor(readonly path: string, readonly reason: string) {
    super('E_PASSPHRASE', `the passphrase file ${path} ${reason}`, 'put the passphrase on the first line of a file readable by you only (at least 12 characters when writing an archive)');
  }
}

// ── File problems in words ──

/** What a file system error code means, in words; a text that is not a code is returned as it is. */
const FILE_PROBLEMS: Record<string, { read: string; write: string }> = {
  ENOENT: { read: 'no such file', write: 'its folder does not exist' },
  EISDIR: { read: 'it is a folder, expected a file', write: 'it is a folder, expected a file name' },
  ENOTDIR: { read: 'a part of the path is a file, not a folder', write: 'a part of the path is a file, not a folder' },
  EACCES: { read: 'permission denied', write: 'permission denied' },
  EPERM: { read: 'permission denied', write: 'permission denied' },
  EEXIST: { read: 'it already exists', write: 'a file of that name is already there' },
  ENOSPC: { read: 'the disk is full', write: 'the disk is full' },
  EDQUOT: { read: 'the disk quota is used up', write: 'the disk quota is used up' },
  EROFS: { read: 'the disk is read-only', write: 'the disk is read-only' },
  ENAMETOOLONG: { read: 'the name is too long', write: 'the name is too long' },
  ELOOP: { read: 'too many symbolic links', write: 'too many symbolic links' },
  EIO: { read: 'the disk reported an input/output error', write: 'the disk reported an input/output error' },
};

/**
 * The words for a failed file operation: `e` is the error (or its code, as
 * the errors above carry it). Never the raw code: a person reads these.
 */
export function fileProblem(e: unknown, doing: 'read' | 'write' = 'read'): string {
  const code = typeof e === 'string' ? e : (e as { code?: unknown } | null)?.code;
  const words = typeof code === 'string' ? FILE_PROBLEMS[code] : undefined;
  if (words) return words[doing];
  return typeof e === 'string' ? e : (e as Error).message;
}

// ── FHIR import and export ──

/** A FHIR input the import cannot take: not JSON, not a resource, another FHIR version, invalid, a reference to nothing. */
export class FhirInputError extends PaperchartError {
  constructor(readonly file: string, readonly line: number, detail: string, remedy: string) {
    super('E_FHIR_INPUT', `${file}${line > 0 ? `:${line}` : ''}: ${detail}`, remedy);
  }
}

/** A patient's IPS Bundle failed its R4 or IPS checks: a record the export cannot say in FHIR. */
export class FhirExportError extends PaperchartError {
  constructor(readonly patientId: string, detail: string) {
    super('E_FHIR_EXPORT', `patient ${patientId}: the IPS Bundle does not validate (${detail})`,
      'correct that patient\'s record in the records system (docs/SCHEMA.md, "FHIR"), or report it as a paperchart bug');
  }
}

// ── Supplements (issue 28) ──

/** `print --since`: the run named is unknown, not a binder's, replaced, or the register holds no full print. */
export class SupplementBaseError extends PaperchartError {
  constructor(message: string, remedy: string) {
    super('E_SINCE', message, remedy);
  }
}

/** `print --since`: no patient changed since that run, so there is nothing to print (exit 0: the binder as filed is current). */
export class NothingChangedError extends PaperchartError {
  constructor(readonly runId: string) {
    super('E_NOTHING_CHANGED', `nothing changed since run ${runId}: no supplement printed`, 'nothing to do: the binder as filed is current', EXIT.ok);
  }
}
