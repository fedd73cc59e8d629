// The public library API: what another program needs to print, export or sample a store.
export * from './errors.js';
export type * from './record/record.js';
export { CHILD_TABLES } from './record/record.js';
export { canonicalJson } from './record/canonical-json.js';
export { exportRecords, type ExportOptions } from './store/export-store.js';
export { validateRecord } from './record/validate-record.js';
export { openStore, createStore, migrate, type Db } from './store/open-store.js';
export { writeRecords, writeMeta } from './store/write-records.js';
export { generateSampleClinic, writeSampleClinic, type SampleClinicOptions } from './sample/sample-clinic.js';
export { SCHEMA_VERSION } from './store/schema.js';
export { drawBinder, type BinderOptions, type BinderSummary, type BinderProgress } from './print/print-binder.js';
export { loadTemplate, type Template } from './layout/template.js';
export * from './codec/index.js';
