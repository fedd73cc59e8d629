// paperchart as a library: the calls the command line makes (src/cli is yargs around them). Importing this loads the
// scanner too (pdfjs, the zxing wasm: about a second); the CLI imports verify and restore only when they run.

// Print: a records store → a binder PDF, optionally scanned back and checked (print --verify).
export { printAndVerifyBinder, type VerifiedPrintHooks, type VerifiedPrintResult } from './print/verified-print.js';
export { printBinder, type PrintOptions } from './print/threads/drawing-thread.js';
export type { BinderOptions, BinderSummary, BinderProgress } from './print/print-binder.js';
export { loadTemplate, type Template } from './layout/template.js';

// Verify: scan a binder at 200 dpi and check that it restores the store exactly.
export { verifyBinder, type VerifyOptions, type VerifyReport, type VerifyProblem } from './restore/verify-binder.js';

// Scan: PDFs, images, TIFFs and text files → code texts; one image → its QR codes.
export { collectTexts, type CollectOptions, type CollectedText } from './restore/collect-texts.js';
export { readCodes, type RgbaImage, type DecodedCode } from './scan/read-codes.js';

// Restore: scans or code texts → records → a store, with the keys checked from the first pages (restore),
// or code texts already read → a store (restoreRecords).
export { restore, type RestoreOptions, type RestoreResult } from './restore/restore.js';
export { restoreRecords, checkRestoreTarget, type RestoreRecordsOptions, type RestoreReport, type OnConflict, type PatientOutcome, type PatientStatus } from './restore/restore-records.js';
export { KeyCheck, type KeyCheckOptions, type KeyProblem } from './restore/key-check.js';

// The store: open (to read, to write, to migrate), create, migrate, write, export as canonical JSON.
export { openStore, openStoreForWriting, openStoreForMigration, createStore, migrate, type Db } from './store/open-store.js';
export { writeRecords, writeMeta } from './store/write-records.js';
export { exportRecords, type ExportOptions } from './store/export-store.js';
export { SCHEMA_VERSION } from './store/schema.js';

// Records: the types, their canonical JSON and their checks.
export type * from './record/record.js';
export { CHILD_TABLES } from './record/record.js';
export { canonicalJson } from './record/canonical-json.js';
export { validateRecord } from './record/validate-record.js';

// FHIR R4 in (Bulk exports, Bundles and resources into the store) and out (an IPS document Bundle per patient).
export { exportFhir, bundleProblems, type FhirExportOptions } from './fhir/export-fhir.js';
export { ipsProblems } from './fhir/ips-checks.js';
export { importFhir, importFhirWithReport, importSummary, type ImportOptions, type ImportReport, type InvalidResource } from './fhir/import-fhir.js';

// The sample clinic: a deterministic synthetic store.
export { generateSampleClinic, writeSampleClinic, type SampleClinicOptions } from './sample/sample-clinic.js';

// Keys: the clinic's key files (keygen) and reading them back.
export { writeKeyFiles, readSigningKeyFile, readPublicKeyFile, readEncryptKeyFile, KEY_FILES, type WrittenKeys } from './keys/key-files.js';

// The paper format (docs/FORMAT.md): codes, frames, records and manifests encoded and decoded.
export * from './codec/index.js';

// Every failure a user can act on, and the exit codes by meaning.
export * from './errors.js';
