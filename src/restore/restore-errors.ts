// Failures of `paperchart restore` a user can act on. Messages name files and
// patients, never a record's contents.
import { PaperchartError } from '../errors.js';

/** Exit code 3: the restore ran, but some patients are incomplete, refused or missing. */
export const EXIT_RESTORE_INCOMPLETE = 3;

export class RestoreIncompleteError extends PaperchartError {
  constructor(readonly incomplete: number, readonly refused: number, readonly missing: number) {
    super('E_RESTORE_INCOMPLETE',
      `${incomplete + refused + missing} patient${incomplete + refused + missing === 1 ? '' : 's'} not restored ` +
      `(${incomplete} incomplete, ${refused} refused, ${missing} missing)`,
      'rescan the binder pages the report names and run restore again with all scans; refused records were not imported',
      EXIT_RESTORE_INCOMPLETE);
  }
}

export class UnknownInputError extends PaperchartError {
  constructor(readonly file: string, detail: string) {
    super('E_RESTORE_INPUT', `cannot read restore input ${file} (${detail})`,
      'pass PDF, PNG, JPEG or TIFF scans, a folder of them, a text file with one code per line, or - for standard input');
  }
}

export class EmptyInputError extends PaperchartError {
  constructor(readonly file: string) {
    super('E_RESTORE_EMPTY_INPUT', `${file} holds no PDF, PNG, JPEG, TIFF or text files`,
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

export class RestoreConflictError extends PaperchartError {
  constructor(readonly patientIds: readonly string[]) {
    super('E_RESTORE_CONFLICT',
      `${patientIds.length} patient${patientIds.length === 1 ? '' : 's'} in the store differ from the paper (${patientIds.slice(0, 10).join(', ')}` +
      `${patientIds.length > 10 ? ', …' : ''}); nothing was written`,
      'rerun with --on-conflict keep (keep the newer store record) or --on-conflict replace (take the paper)');
  }
}

export class RestoreWriteError extends PaperchartError {
  constructor(readonly path: string, detail: string) {
    super('E_RESTORE_WRITE', `could not write the restored records into ${path} (${detail}); the store is unchanged`,
      'check the store is a paperchart store you may write to, and that no patient shares an MRN with another');
  }
}

export class BinderNotVerifiedError extends PaperchartError {
  constructor(readonly binder: string, readonly problems: number) {
    super('E_BINDER_NOT_VERIFIED', `${binder} would not restore the store exactly (${problems} problem${problems === 1 ? '' : 's'})`,
      'do not rely on this binder: print it again and verify, and keep the previous binder until one verifies',
      EXIT_RESTORE_INCOMPLETE);
  }
}

/** restore --db names a place where no store can be made (a folder that does not exist). Checked before any scan is read. */
export class RestoreTargetError extends PaperchartError {
  constructor(readonly path: string, detail: string) {
    super('E_RESTORE_TARGET', `cannot restore into ${path}: ${detail}; nothing was written`,
      'give --db an existing store, or a new file name in a folder that exists and that you may write to');
  }
}

/** The disk filled up while the restore wrote. The write was rolled back, or the new store removed. */
export class RestoreDiskFullError extends PaperchartError {
  constructor(readonly path: string, newStore: boolean) {
    super('E_DISK_FULL', `the disk holding ${path} filled up during the restore; ${newStore ? 'no store was created' : 'the store is unchanged'}`,
      'free space on that disk (a restored store takes about half the size of its code texts) and run restore again, or restore to another disk');
  }
}
