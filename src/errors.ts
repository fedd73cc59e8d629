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
    super('E_OUTPUT_NOT_WRITABLE', `cannot write ${path} (${detail})`,
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

/** A decoded record that does not have the schema's exact tables, fields and types: it was not written by paperchart. */
export class MalformedRecordError extends PaperchartError {
  constructor(readonly patientId: string, readonly where: string, problem: string) {
    super('E_MALFORMED_RECORD', `patient ${patientId}: ${where} ${problem}`,
      'this record was not made by paperchart and was not imported: restore the patient from a signed binder (--pubkey) or the source system');
  }
}
