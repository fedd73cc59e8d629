// The run manifest (FORMAT §11): which patients a complete binder holds.
import { canonicalJson } from '../record/canonical-json.js';
import { CorruptFrameError } from './codec-errors.js';
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
}

export interface Manifest {
  runId: string;
  printedAt: string;
  patients: ManifestEntry[];
  /** The store's clinic facts (`meta` table: clinic name, time zone, …), so a restore brings them back too. */
  clinic: Record<string, string>;
}

export const MANIFEST_FORMAT = 'PC1-manifest';

/** FORMAT §11.1: the manifest's canonical JSON. Entries are sorted by patient id. */
export function manifestJson(m: Manifest): string {
  const patients = [...m.patients].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return canonicalJson({ format: MANIFEST_FORMAT, run: m.runId, printed_at: m.printedAt, patients, clinic: m.clinic });
}

/**
 * Encodes a run's manifest as `M` frames, signed and encrypted like the records.
 * Its length grows with the clinic (about 4,700 codes for 100,000 patients), so
 * it has no cap on codes unless one is given: the cap guards a patient's record.
 * @throws RangeError if options disagree with the manifest's run or time; see encodeDocument
 */
export function encodeManifest(m: Manifest, opts: Omit<EncodeOptions, 'runId' | 'printedAt'>): EncodedDocument {
  return encodeDocument('M', null, manifestJson(m), { maxCodes: Number.MAX_SAFE_INTEGER, ...opts, runId: m.runId, printedAt: m.printedAt });
}

/**
 * Reads a reassembled `M` document.
 * @throws CorruptFrameError if the content is not a manifest of the frames' run
 */
export function parseManifest(doc: DecodedDocument): Manifest {
  const bad = (why: string): CorruptFrameError => new CorruptFrameError(`run ${doc.runId} manifest: ${why}`);
  let v: unknown;
  try { v = JSON.parse(doc.canonical); } catch { throw bad('not JSON'); }
  const o = v as { format?: unknown; run?: unknown; printed_at?: unknown; patients?: unknown; clinic?: unknown };
  if (typeof o !== 'object' || o === null || o.format !== MANIFEST_FORMAT) throw bad('not a manifest');
  if (o.run !== doc.runId || o.printed_at !== doc.printedAt) throw bad('run or print time differs from its codes');
  if (!Array.isArray(o.patients)) throw bad('no patient list');
  const patients = o.patients.map((p: unknown): ManifestEntry => {
    const e = p as Partial<ManifestEntry>;
    if (typeof e !== 'object' || e === null || typeof e.id !== 'string' || typeof e.digest !== 'string' || !/^[0-9a-f]{64}$/.test(e.digest)
      || typeof e.codes !== 'number' || !Array.isArray(e.pages) || !e.pages.every((n) => typeof n === 'number')) throw bad('malformed patient entry');
    return { id: e.id, digest: e.digest, codes: e.codes, pages: e.pages };
  });
  const clinic = o.clinic ?? {};
  if (typeof clinic !== 'object' || clinic === null || Array.isArray(clinic)
    || !Object.values(clinic).every((x) => typeof x === 'string')) throw bad('malformed clinic facts');
  return { runId: doc.runId, printedAt: doc.printedAt, patients, clinic: clinic as Record<string, string> };
}
