/**
 * Failures a user can act on. Each carries a stable code, a one-line message
 * naming the bad value, and a remedy; the CLI prints both and exits with
 * `exitCode`. Anything that is not a PaperchartError is a bug.
 * Messages never include a record's clinical contents.
 */
export class PaperchartError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly remedy: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

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

export class OutputNotWritableError extends PaperchartError {
  constructor(readonly path: string, detail: string) {
    super('E_OUTPUT_NOT_WRITABLE', `cannot write ${path} (${fileProblem(detail, 'write')})`,
      'choose an output path in a folder that exists and that you may write to');
  }
}

export class TemplateError extends PaperchartError {
  constructor(readonly template: string, detail: string) {
    super('E_TEMPLATE', `template ${template}: ${detail}`,
      'pick a shipped template (default, es-a4) or fix the template file (templates/README.md)');
  }
}

export class UsageError extends PaperchartError {
  constructor(message: string) {
    super('E_USAGE', message, 'run `paperchart --help` for the commands and their options');
  }
}

export class NotEnoughDiskError extends PaperchartError {
  constructor(readonly path: string, readonly neededBytes: number, readonly freeBytes: number) {
    super('E_DISK_FULL',
      `not enough disk space for ${path}: the binder needs about ${Math.ceil(neededBytes / 1e6)} MB, the disk has ${Math.floor(freeBytes / 1e6)} MB free`,
      'free space on that disk, or write the binder to another disk with --out');
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

export class KeysNotWrittenError extends PaperchartError {
  constructor(readonly path: string, readonly reason: string) {
    super('E_KEYS_NOT_WRITTEN', `cannot write the key files in ${path} (${reason}); no key file was left there`,
      reason.startsWith('ENOSPC') ? 'free space on that disk and run keygen again'
        : 'choose a folder you may write to and run keygen again');
  }
}

/** Another program holds the store's write lock longer than paperchart waits for it. */
export class StoreBusyError extends PaperchartError {
  constructor(readonly path: string, readonly waitedSeconds: number) {
    super('E_STORE_BUSY', `${path}: the store is being written by another program (still locked after ${waitedSeconds} s)`,
      'run again once the other program (the records system\'s export job, a restore) has finished writing; nothing was written');
  }
}

/** The store is ours and current, but what it holds breaks the schema (docs/SCHEMA.md): found before anything is written. */
export class StoreContentError extends PaperchartError {
  constructor(readonly path: string, readonly problem: string, remedy: string) {
    super('E_STORE_CONTENT', `${path} cannot be used: ${problem}`, remedy);
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

/** A decoded record that does not have the schema's exact tables, fields and types: it was not written by paperchart. */
export class MalformedRecordError extends PaperchartError {
  constructor(readonly patientId: string, readonly where: string, problem: string) {
    super('E_MALFORMED_RECORD', `patient ${patientId}: ${where} ${problem}`,
      'this record was not made by paperchart and was not imported: restore the patient from a signed binder (--pubkey) or the source system');
  }
}

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
