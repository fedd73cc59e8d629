// The run manifest (FORMAT §11): which patients a complete binder holds.
import { canonicalJson } from '../record/canonical-json.js';
import { compareCodePoints } from '../record/id-order.js';
import { utf8 } from './bytes.js';
import { CorruptFrameError } from '../errors.js';
import { encodeDocument, type DecodedDocument, type EncodeOptions, type EncodedDocument } from './record-codec.js';

export interface ManifestEntry {
  /** Patient id. */
  id: string;
  /** SHA-256 of the record's canonical JSON, 64 lower-case hex digits. */
  digest: string;
  /** Number of codes (data + parity) printed for the record. */
  codes: number;
  /** Binder page numbers holding the record's codes, ascending. */
  pages: number[];
  /** FORMAT §11: the patient's name as printed ("Family, Given"); optional, absent from manifests before it. */
  name?: string;
  /** FORMAT §11: the record number as printed; optional. */
  mrn?: string;
  /** FORMAT §11: how many of the codes, numbered in order, each page of `pages` carries; optional. */
  page_codes?: number[];
  /** FORMAT §11: the volume of a binder in several that holds the patient, from 1; `pages` count from that volume's first page. Optional. */
  volume?: number;
}

export interface Manifest {
  runId: string;
  printedAt: string;
  patients: ManifestEntry[];
  /** The store's clinic facts (`meta` table: clinic name, time zone, …), so a restore brings them back too. */
  clinic: Record<string, string>;
  /** FORMAT §11.3: a partial binder's choice of patients; absent when the binder holds every patient of the store. */
  selection?: ManifestSelection;
  /** FORMAT §11.4: a supplement's chain; absent from a full or partial binder's manifest. */
  supplement?: ManifestSupplement;
}

/** FORMAT §11.4: a supplement (issue 28) lists only the patients it prints; this says what else a restore needs. No key is named "patients". */
export interface ManifestSupplement {
  /** The run it follows (the chain's newest when printed) and the chain's full print. */
  of: string;
  base: string;
  /** Patients of the binder the store no longer holds, sorted. */
  removed: string[];
  /** Each earlier supplement of the chain: the patients whose current pages it holds, sorted. */
  earlier: Record<string, string[]>;
}

/** FORMAT §11.3: how a partial binder's patients were chosen (issue 28). No key is named "patients" (manifestContent). */
export interface ManifestSelection {
  /** "list" (--patients FILE), "scheduled" (--scheduled-within DAYS), or both. */
  by: ('list' | 'scheduled')[];
  list_file?: string;
  scheduled_from?: string;
  scheduled_until?: string;
}

export const MANIFEST_FORMAT = 'PC1-manifest';

/** A manifest's facts besides its patient list. */
export type ManifestHead = Omit<Manifest, 'patients'>;

const PATIENT_LIST = '"patients":[';

/** FORMAT §11's order of entries: patient ids by code point, as export lists them (FORMAT §5.4). */
export function comparePatientIds(a: string, b: string): number {
  return compareCodePoints(a, b);
}

/**
 * FORMAT §11.1: the manifest's canonical JSON as UTF-8, its entries taken one
 * at a time, already sorted by patient id. A 100,000-patient clinic's entries
 * as one object tree and one JSON string made about 130 MB of short-lived heap
 * at the end of a print (issue 6, measured); this holds only the bytes.
 * The text around the list is canonicalJson's own, so the key order is its too.
 * @throws RangeError if the entries are not in ascending id order
 */
export function manifestContent(head: ManifestHead, sortedPatients: Iterable<ManifestEntry>): Uint8Array {
  const empty = canonicalJson({ format: MANIFEST_FORMAT, run: head.runId, printed_at: head.printedAt, patients: [], clinic: head.clinic,
    ...(head.selection ? { selection: head.selection } : {}), ...(head.supplement ? { supplement: head.supplement } : {}) });
  // The list's key is the last one a quote can open: "printed_at", "run" and "selection" (no key "patients" inside) follow it, and a quote inside a string is escaped.
  const listStart = empty.lastIndexOf(PATIENT_LIST) + PATIENT_LIST.length;
  const chunks: Buffer[] = [];
  let pending = empty.slice(0, listStart);
  let previous: string | undefined;
  for (const entry of sortedPatients) {
    if (previous !== undefined && comparePatientIds(previous, entry.id) >= 0) throw new RangeError(`manifest entry ${entry.id} after ${previous}, expected ascending patient ids`);
    pending += (previous === undefined ? '' : ',') + canonicalJson(entry);
    previous = entry.id;
    // Converted in batches: one string of every entry is what this avoids.
    if (pending.length >= 1 << 16) { chunks.push(Buffer.from(pending, 'utf8')); pending = ''; }
  }
  chunks.push(Buffer.from(pending + empty.slice(listStart), 'utf8'));
  return Buffer.concat(chunks);
}

/** FORMAT §11.1: the manifest's canonical JSON. Entries are sorted by patient id. */
export function manifestJson(m: Manifest): string {
  return utf8.decode(manifestContent(m, byId(m.patients)));
}

function byId(patients: readonly ManifestEntry[]): ManifestEntry[] {
  return [...patients].sort((a, b) => comparePatientIds(a.id, b.id));
}

/**
 * Encodes a run's manifest as `M` frames, signed and encrypted like the records.
 * Its length grows with the clinic (about 4,700 codes for 100,000 patients), so
 * it has no cap on codes unless one is given: the cap guards a patient's record.
 * `sortedPatients` (manifestContent) may be a generator, so that a big clinic's
 * entries need not all be held as objects at once.
 * @throws RangeError if options disagree with the manifest's run or time, or entries are out of order; see encodeDocument
 */
export function encodeManifest(head: ManifestHead, sortedPatients: Iterable<ManifestEntry>, opts: Omit<EncodeOptions, 'runId' | 'printedAt'>): EncodedDocument {
  return encodeDocument('M', null, manifestContent(head, sortedPatients), { maxCodes: Number.MAX_SAFE_INTEGER, ...opts, runId: head.runId, printedAt: head.printedAt });
}

/**
 * Reads a reassembled `M` document.
 * @throws CorruptFrameError if the content is not a manifest of the frames' run
 */
export function parseManifest(doc: DecodedDocument): Manifest {
  const bad = (why: string): CorruptFrameError => new CorruptFrameError(`run ${doc.runId} manifest: ${why}`);
  let v: unknown;
  try { v = JSON.parse(doc.canonical); } catch { throw bad('not JSON'); }
  const o = v as { format?: unknown; run?: unknown; printed_at?: unknown; patients?: unknown; clinic?: unknown; selection?: unknown; supplement?: unknown };
  if (typeof o !== 'object' || o === null || o.format !== MANIFEST_FORMAT) throw bad('not a manifest');
  if (o.run !== doc.runId || o.printed_at !== doc.printedAt) throw bad('run or print time differs from its codes');
  if (!Array.isArray(o.patients)) throw bad('no patient list');
  const patients = o.patients.map((p: unknown): ManifestEntry => {
    const e = p as Partial<ManifestEntry>;
    if (typeof e !== 'object' || e === null || typeof e.id !== 'string' || typeof e.digest !== 'string' || !/^[0-9a-f]{64}$/.test(e.digest)
      || typeof e.codes !== 'number' || !Array.isArray(e.pages) || !e.pages.every((n) => typeof n === 'number')) throw bad('malformed patient entry');
    // The optional fields (FORMAT §11) are checked as strictly, but a malformed one is dropped, not the manifest.
    const pageCodes = Array.isArray(e.page_codes) && e.page_codes.length === e.pages.length
      && e.page_codes.every((n) => Number.isInteger(n) && n >= 0) && e.page_codes.reduce((a, b) => a + b, 0) === e.codes ? e.page_codes : undefined;
    return { id: e.id, digest: e.digest, codes: e.codes, pages: e.pages,
      ...(typeof e.name === 'string' ? { name: e.name } : {}), ...(typeof e.mrn === 'string' ? { mrn: e.mrn } : {}),
      ...(pageCodes ? { page_codes: pageCodes } : {}),
      ...(Number.isInteger(e.volume) && e.volume! >= 1 ? { volume: e.volume! } : {}) };
  });
  const clinic = o.clinic ?? {};
  if (typeof clinic !== 'object' || clinic === null || Array.isArray(clinic)
    || !Object.values(clinic).every((x) => typeof x === 'string')) throw bad('malformed clinic facts');
  const selection = o.selection as ManifestSelection | undefined;
  if (selection !== undefined && (typeof selection !== 'object' || selection === null || !Array.isArray(selection.by))) throw bad('malformed selection');
  const supplement = o.supplement === undefined ? undefined : parseSupplement(o.supplement, bad);
  return { runId: doc.runId, printedAt: doc.printedAt, patients, clinic: clinic as Record<string, string>, ...(selection ? { selection } : {}),
    ...(supplement ? { supplement } : {}) };
}

/** FORMAT §11.4: a supplement's chain, checked as strictly as the rest. */
function parseSupplement(v: unknown, bad: (why: string) => CorruptFrameError): ManifestSupplement {
  const s = v as Partial<ManifestSupplement>;
  const ids = (x: unknown): x is string[] => Array.isArray(x) && x.every((i) => typeof i === 'string');
  if (typeof s !== 'object' || s === null || typeof s.of !== 'string' || typeof s.base !== 'string' || !ids(s.removed)
    || typeof s.earlier !== 'object' || s.earlier === null || Array.isArray(s.earlier) || !Object.values(s.earlier).every(ids)) throw bad('malformed supplement');
  return { of: s.of, base: s.base, removed: s.removed, earlier: s.earlier };
}
