import type { PatientRecord } from '../record/record.js';
import { validateRecord } from '../record/validate-record.js';
import { canonicalJson } from '../record/canonical-json.js';
import { encodeDocument, type EncodeOptions } from '../codec/record-codec.js';
import { toHex } from '../codec/bytes.js';
import { codesPerPage, layoutCodes } from '../layout/code-pages.js';
import { layoutPatientFlow, type PatientLayoutContext } from '../layout/patient-layout.js';
import type { BodyBox, PageBody } from '../layout/flow.js';
import { qrImage } from '../qr/qr-symbol.js';
import { label } from '../layout/template.js';
import { printedName } from '../layout/format.js';
import { visibleIdentity } from '../layout/visible-identity.js';
import { addSafetyBanner } from '../layout/safety-banner.js';

/** What a patient's pages need besides the record; the same on every thread. */
export interface PatientPagesContext extends PatientLayoutContext {
  /** The store's latest change: no record may claim to be newer (validateRecord). */
  dataAsOf: string | null;
  codeOptions: EncodeOptions;
}

/** One patient's part of the binder: its summary and code pages, ready to draw. */
export interface PatientPages {
  id: string;
  /** Summary pages then code pages, each code's image made and each line shaped to its glyphs or its words' shapes (TextShaper.readyToDraw). */
  pages: PageBody[];
  /** How many of `pages`, at the end, hold codes (the first of them may end the summary). */
  codePages: number;
  codes: number;
  /** Hex SHA-256 of the canonical record (FORMAT §11). */
  digest: string;
  /** The record's container (FORMAT §5.1), for its group's cross parity (§17; print/parity-groups.ts). */
  container: Uint8Array;
}

/**
 * Validates, encodes and lays out one patient. Pure: the same record and
 * context give the same result on any thread, which is what lets the binder
 * spread patients over worker threads with a PDF identical to one thread's.
 * @throws InvalidRecordError, RecordTooLargeError
 */
export function preparePatient(record: PatientRecord, ctx: PatientPagesContext): PatientPages {
  validateRecord(record, ctx.dataAsOf);
  const encoded = encodeDocument('R', record.patient.id, canonicalJson(record), ctx.codeOptions);
  const flow = layoutPatientFlow(record, ctx);
  const name = printedName(record.patient);
  const mrn = visibleIdentity(record.patient.mrn);
  // The codes follow the summary, on its last page when a row fits there (code-pages.ts layoutCodes).
  const codePages = layoutCodes(flow, encoded.texts, {
    heading: (first, last, total, page, pages) => label(ctx.template, 'codes_heading', { name, mrn, first, last, total, page, pages }),
    caption: (i, total) => label(ctx.template, 'code_caption', { name, i, total }),
  });
  const pages = flow.pages;
  // Allergies and code status atop every page after the first, code pages too (issue 25).
  addSafetyBanner(pages, record, ctx);
  for (const page of pages) {
    for (const op of page.ops) {
      if (op.kind === 'qr') op.image = qrImage(op.text);
      else if (op.kind === 'text') ctx.shaper.readyToDraw(op.line);
    }
  }
  return { id: record.patient.id, pages, codePages, codes: encoded.texts.length, digest: toHex(encoded.digest), container: encoded.container };
}

/** Issue 26's density of the codes: what a full page of codes carries of the clinic's records. */
export interface CodeDensity {
  patients: number;
  /** Every code of every patient, parity included. */
  codes: number;
  /** Bytes of canonical record (UTF-8), all patients. */
  recordBytes: number;
  codesPerFullPage: number;
  /** recordBytes / codes × codesPerFullPage. */
  bytesPerCodePage: number;
}

/** Encodes every record as print does and measures the codes' density on a page body of `box`. */
export function codeDensity(records: Iterable<PatientRecord>, codeOptions: EncodeOptions, box: BodyBox): CodeDensity {
  let patients = 0, codes = 0, recordBytes = 0;
  for (const record of records) {
    const encoded = encodeDocument('R', record.patient.id, canonicalJson(record), codeOptions);
    patients++;
    codes += encoded.texts.length;
    recordBytes += encoded.content.length;
  }
  const { columns, rows } = codesPerPage(box);
  const codesPerFullPage = columns * rows;
  return { patients, codes, recordBytes, codesPerFullPage, bytesPerCodePage: codes === 0 ? 0 : (recordBytes / codes) * codesPerFullPage };
}
