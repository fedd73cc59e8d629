import type { PatientRecord } from '../record/record.js';
import { validateRecord } from '../record/validate-record.js';
import { canonicalJson } from '../record/canonical-json.js';
import { encodeDocument, type EncodeOptions } from '../codec/record-codec.js';
import { toHex } from '../codec/_bytes.js';
import { codesPerPage, layoutCodePages } from './code-pages.js';
import { layoutPatient, type PatientLayoutContext } from './patient-layout.js';
import type { PageBody } from './flow.js';
import { qrPng } from './qr-symbol.js';
import { label } from './template.js';
import { displayName } from './_format.js';

/** What a patient's pages need besides the record; the same on every thread. */
export interface PatientPagesContext extends PatientLayoutContext {
  /** The store's latest change: no record may claim to be newer (validateRecord). */
  dataAsOf: string | null;
  codeOptions: EncodeOptions;
}

/** One patient's part of the binder: its summary and code pages, or only their counts. */
export interface PatientPages {
  id: string;
  summaryPages: number;
  codePages: number;
  codes: number;
  /** Hex SHA-256 of the canonical record (FORMAT §11). */
  digest: string;
  /** Summary pages then code pages, each code's image ready; only when asked for. */
  pages?: PageBody[];
}

/**
 * Validates, encodes and lays out one patient. Pure: the same record and
 * context give the same result on any thread, which is what lets the binder
 * count pages in one pass and draw in another, and spread both over worker
 * threads with a PDF identical to one thread's.
 * @throws InvalidRecordError, RecordTooLargeError
 */
export function preparePatient(record: PatientRecord, ctx: PatientPagesContext, withPages: boolean): PatientPages {
  validateRecord(record, ctx.dataAsOf);
  const encoded = encodeDocument('R', record.patient.id, canonicalJson(record), ctx.codeOptions);
  const summary = layoutPatient(record, ctx);
  const { columns, rows } = codesPerPage(ctx.box);
  const result: PatientPages = {
    id: record.patient.id, summaryPages: summary.length, codePages: Math.ceil(encoded.texts.length / (columns * rows)),
    codes: encoded.texts.length, digest: toHex(encoded.digest),
  };
  if (!withPages) return result;
  const name = displayName(record.patient);
  const mrn = record.patient.mrn;
  const codePages = layoutCodePages(encoded.texts, {
    heading: (first, last, total, page, pages) => label(ctx.template, 'codes_heading', { name, mrn, first, last, total, page, pages }),
    caption: (i, total) => label(ctx.template, 'code_caption', { name, i, total }),
  }, ctx.shaper, ctx.box);
  const pages = [...summary, ...codePages];
  for (const page of pages) {
    for (const op of page.ops) {
      if (op.kind === 'qr') op.png = qrPng(op.text);
      else if (op.kind === 'text') ctx.shaper.withGlyphs(op.line);
    }
  }
  return { ...result, pages };
}
