// A restore's decisions, pure: which record stands for each patient, what the paper alone says of the others,
// and, against what the store holds, whether a record is written, replaces the store's, or is kept out.
import type { RestoredRecord, FailedDocument } from '../codec/record-codec.js';
import { parseManifest, type Manifest, type ManifestEntry } from '../codec/manifest.js';
import { InsufficientFramesError, PaperchartError } from '../errors.js';
import { canonicalJson } from '../record/canonical-json.js';
import { compareCodePoints } from '../record/id-order.js';
import { CHILD_TABLES, type PatientRecord } from '../record/record.js';
import type { StoreView } from '../store/replace-patients.js';
import type { DecodedTexts } from './decode-texts.js';
import type { OnConflict, PatientIdentity, PatientOutcome } from './restore-report.js';
import { applySupplementChain } from './supplement-chain.js';
import { addParityAdvice } from './parity-advice.js';

/** What the paper alone decides, before the store is looked at. */
export interface PaperPlan {
  /** One record per patient, to decide against the store: a signed one before any other, then the newest. */
  records: RestoredRecord[];
  /** Patients no record stands for: incomplete, refused or missing. */
  outcomes: Map<string, PatientOutcome>;
  /** Said after a patient's line: codes of another run, read but not used. */
  otherRuns: Map<string, string>;
  manifests: Manifest[];
  /** Problems not tied to a patient. */
  notes: string[];
  /** The clinic facts of the newest run read, for a new store. */
  clinic: Record<string, string> | undefined;
  /** Name and record number as printed, of each patient whose record was read, from a manifest that carries them. */
  identities: Map<string, PatientIdentity>;
}

/** What to do with one patient's record, against the store. */
export type PatientDecision =
  | { write: false; conflict: boolean; outcome?: PatientOutcome }
  | { write: true; conflict: boolean; replace: boolean; record: () => PatientRecord; outcome: PatientOutcome };

/** The latest updated_at of any row of a record. */
function latestChange(r: PatientRecord): string {
  let t = r.patient.updated_at;
  for (const table of CHILD_TABLES) for (const row of r[table]) if (row.updated_at > t) t = row.updated_at;
  return t;
}

/**
 * FORMAT §9.4: a record signed with the given key outranks any other, whatever the print times; then the newest
 * print; then (two digests printed at one time) the greater canonical text by code point, then the greater run id
 * (one record in two runs of one second), so that the choice never depends on the order the codes were read.
 */
function outranks(a: RestoredRecord, b: RestoredRecord): boolean {
  const signed = (r: RestoredRecord): number => (r.signature === 'valid' ? 1 : 0);
  if (signed(a) !== signed(b)) return signed(a) > signed(b);
  if (a.printedAt !== b.printedAt) return a.printedAt > b.printedAt;
  // Inflated only here, for a tie: the same digest is the same text.
  const text = a.digest === b.digest ? 0 : compareCodePoints(a.canonical, b.canonical);
  return text !== 0 ? text > 0 : a.runId > b.runId;
}

/** Chooses the record for each patient and lists, from the manifests, the patients with no whole record. */
export function planFromPaper(decoded: DecodedTexts): PaperPlan {
  const notes: string[] = [];
  const manifests: Manifest[] = [];
  const identities = new Map<string, PatientIdentity>();
  for (const m of decoded.manifests) {
    try { manifests.push(parseManifest(m)); } catch (e) { if (!(e instanceof PaperchartError)) throw e; notes.push(e.message); }
  }
  for (const f of decoded.failures) if (f.kind === 'M') notes.push(`manifest not read: ${f.error.message}`);
  if (manifests.length === 0) notes.push('no run manifest was read: patients with no code scanned at all cannot be listed as missing');
  const entryOf = (runId: string, id: string): ManifestEntry | undefined =>
    manifests.find((m) => m.runId === runId)?.patients.find((p) => p.id === id);

  // When one patient's record comes from several runs: a signed one before any other, then the newest.
  const chosen = new Map<string, RestoredRecord>();
  for (const r of decoded.records) {
    const had = chosen.get(r.patientId);
    if (!had || outranks(r, had)) chosen.set(r.patientId, r);
  }
  const { outcomes, otherRuns } = paperOutcomes(decoded, chosen, entryOf);
  const rebuilt = [...chosen.values()].filter((r) => r.rebuiltFrom !== undefined).map((r) => r.patientId).sort(compareCodePoints);
  if (rebuilt.length) notes.push(`rebuilt from the parity codes (FORMAT §17), their own codes not read: ${rebuilt.join(', ')}`);
  for (const m of manifests) {
    for (const p of m.patients) {
      if (outcomes.has(p.id) || chosen.has(p.id)) continue;
      outcomes.set(p.id, { patientId: p.id, ...identityOf(p), status: 'missing', runId: m.runId, pages: p.pages,
        detail: `listed in run ${m.runId}'s manifest, no code found; printed on ${binderPages(p, p.pages)}` });
    }
  }
  addParityAdvice(outcomes, decoded.parities ?? [], entryOf);
  // Every patient the paper names, as printed on it (FORMAT §11: manifests of earlier versions do not carry it).
  for (const r of chosen.values()) {
    const who = identityOf(entryOf(r.runId, r.patientId));
    if (who.name !== undefined || who.mrn !== undefined) identities.set(r.patientId, who);
  }
  // The newest manifest's clinic facts (§9.4); of two printed in the same second, the greater run id's, whatever the read order.
  const clinic = [...manifests].sort((a, b) => (a.printedAt !== b.printedAt ? (a.printedAt < b.printedAt ? 1 : -1) : a.runId < b.runId ? 1 : -1))[0]?.clinic;
  // A binder and its supplements (issue 28): removals and the chain's gaps, in supplement-chain.ts.
  return applySupplementChain({ records: [...chosen.values()], outcomes, otherRuns, manifests, notes, clinic, identities });
}

/** Incomplete and refused patients, and the notes of codes read from a run other than the one reported on. */
function paperOutcomes(decoded: DecodedTexts, chosen: Map<string, RestoredRecord>, entryOf: (runId: string, id: string) => ManifestEntry | undefined,
): Pick<PaperPlan, 'outcomes' | 'otherRuns'> {
  const outcomes = new Map<string, PatientOutcome>();
  const failureDetail = (f: FailedDocument & { patientId: string }): string => {
    if (!(f.error instanceof InsufficientFramesError)) return f.error.message;
    const entry = entryOf(f.runId, f.patientId);
    const where = entry && missingWhere(entry, f.error);
    if (where) return `${where} not read, ${f.error.needed} more needed`;
    const pages = entry?.pages;
    return `codes ${f.error.missingText} not read, ${f.error.needed} more needed` +
      (pages ? `; printed on ${binderPages(entry!, pages)}` : '');
  };
  // Codes of a patient's other run: never mixed into the record reported on, but a person must hear
  // of them, since that run may be the newer one.
  const otherRuns = new Map<string, string>();
  for (const r of decoded.records) {
    const used = chosen.get(r.patientId)!;
    if (r.printedAt > used.printedAt && r.signature !== 'valid' && used.signature === 'valid' && !otherRuns.has(r.patientId)) {
      otherRuns.set(r.patientId, `; a later record of run ${r.runId} (signature ${r.signature}) was not used: an unsigned record never outranks a signed one`);
    }
  }
  for (const f of decoded.failures) {
    if (f.kind !== 'R' || f.patientId === null) continue;
    const id = f.patientId;
    const failed = { ...f, patientId: id };
    const reportedRun = chosen.get(id)?.runId ?? outcomes.get(id)?.runId;
    if (reportedRun !== undefined) {
      if (f.runId !== reportedRun && !otherRuns.has(id)) otherRuns.set(id, `; codes of run ${f.runId} were also read but not used (${failureDetail(failed)})`);
      continue;
    }
    const entry = entryOf(f.runId, id);
    if (f.error instanceof InsufficientFramesError) {
      const pages = (entry && pagesHolding(entry, f.error)) ?? entry?.pages;
      outcomes.set(id, { patientId: id, ...identityOf(entry), status: 'incomplete', runId: f.runId, missingCodes: [...f.error.missing],
        ...(pages ? { pages } : {}), detail: failureDetail(failed) });
    } else {
      outcomes.set(id, { patientId: id, ...identityOf(entry), status: 'refused', runId: f.runId, detail: failureDetail(failed) });
    }
  }
  return { outcomes, otherRuns };
}

/**
 * Decides one patient against what the store holds now (read inside the write transaction, so what keep
 * compares is what the paper would overwrite). Under keep, a signed record outranks an unsigned paper, and a
 * store that changed the patient (deletions included, patient_changes) at or after the print is never undone.
 * The record is inflated from its deflated text only where it is compared or written, and then once.
 */
export function decidePatient(r: RestoredRecord, store: StoreView, onConflict: OnConflict): PatientDecision {
  // FORMAT §17.3: a record rebuilt from its group's cross parity says so on every outcome.
  const base = { patientId: r.patientId, runId: r.runId, ...(r.rebuiltFrom !== undefined ? { rebuiltFromParity: true } : {}) };
  const parity = r.rebuiltFrom !== undefined ? '; rebuilt from the parity codes, its own codes not read' : '';
  let text: string | undefined;
  let parsed: PatientRecord | undefined;
  const canonical = (): string => (text ??= r.canonical);
  const record = (): PatientRecord => (parsed ??= JSON.parse(canonical()) as PatientRecord);
  const storeChangedAt = store.changedAt(r.patientId);
  const changedSincePrint = storeChangedAt !== undefined && storeChangedAt >= r.printedAt;
  const current = store.record(r.patientId);
  const write = (replace: boolean, detail: string, conflict: boolean): PatientDecision =>
    ({ write: true, conflict, replace, record, outcome: { ...base, status: 'restored', detail } });
  const restored = `from run ${r.runId}, signature ${r.signature}${parity}`;
  if (current === undefined) {
    if (!changedSincePrint) return write(false, restored, false);
    // The patient was deleted from the store after the paper was printed.
    if (onConflict === 'keep') {
      return { write: false, conflict: true, outcome: { ...base, status: 'kept-newer',
        detail: `deleted from the store at ${storeChangedAt}, after the paper was printed (${r.printedAt}); not brought back` } };
    }
    return onConflict === 'fail' ? { write: false, conflict: true } : write(false, restored, true);
  }
  if (canonicalJson(current) === canonical()) {
    return { write: false, conflict: false, outcome: { ...base, status: 'already-current', detail: 'the store holds the same record' } };
  }
  if (onConflict === 'fail') return { write: false, conflict: true };
  const storeAt = latestChange(current), paperAt = latestChange(record());
  const kept = (status: 'kept-newer' | 'kept-unsigned', detail: string): PatientDecision =>
    ({ write: false, conflict: true, outcome: { ...base, status, detail } });
  if (onConflict === 'keep' && r.signature !== 'valid') {
    return kept('kept-unsigned', `the store's record differs from the paper, which is not signed (signature ${r.signature}); an unsigned record never replaces a store's record under keep: kept the store's`);
  }
  if (onConflict === 'keep' && changedSincePrint) {
    return kept('kept-newer', `the store changed this patient at ${storeChangedAt}, after the paper was printed (${r.printedAt}); kept the store's`);
  }
  if (onConflict === 'keep' && storeAt >= paperAt) {
    return kept('kept-newer', `the store's record (changed ${storeAt}) differs from the paper (changed ${paperAt}); kept the store's`);
  }
  return write(true, `replaced the store's record (changed ${storeAt}) with the paper (changed ${paperAt}), run ${r.runId}, signature ${r.signature}${parity}`, true);
}

/** A patient's name and record number as the manifest gives them, for the report (absent from older manifests). */
function identityOf(entry: ManifestEntry | undefined): PatientIdentity {
  return { ...(entry?.name !== undefined ? { name: entry.name } : {}), ...(entry?.mrn !== undefined ? { mrn: entry.mrn } : {}) };
}

/** The binder page of each code number (1-based), from the manifest's codes a page; undefined without them. */
function pageOfCode(entry: ManifestEntry): ((code: number) => number | undefined) | undefined {
  const counts = entry.page_codes;
  if (!counts) return undefined;
  return (code) => {
    for (let k = 0, last = 0; k < counts.length; k++) { last += counts[k]!; if (code <= last) return entry.pages[k]; }
    return undefined;
  };
}

/** The pages holding the missing codes, ascending, when every missing code is listed and placed. */
function pagesHolding(entry: ManifestEntry, e: InsufficientFramesError): number[] | undefined {
  const page = pageOfCode(entry);
  if (!page || e.missing.length !== e.missingCount) return undefined;
  const pages = new Set<number>();
  for (const c of e.missing) { const p = page(c); if (p === undefined) return undefined; pages.add(p); }
  return [...pages].sort((a, b) => a - b);
}

/** "codes 7–12 on binder page 44, code 14 on binder page 45", or undefined when the manifest cannot place them. */
function missingWhere(entry: ManifestEntry, e: InsufficientFramesError): string | undefined {
  const page = pageOfCode(entry);
  if (!page || e.missing.length !== e.missingCount) return undefined;
  const runs: { first: number; last: number; page: number }[] = [];
  for (const c of e.missing) {
    const p = page(c);
    if (p === undefined) return undefined;
    const run = runs[runs.length - 1];
    if (run && run.page === p && run.last === c - 1) run.last = c;
    else runs.push({ first: c, last: c, page: p });
  }
  return runs.map((r) => `${r.first === r.last ? `code ${r.first}` : `codes ${r.first}–${r.last}`} on ${binderPages(entry, [r.page])}`).join(', ');
}

/** "binder pages 44, 45", or with volumes (FORMAT §11) as their footers print it: "Vol 2 · binder pages 44, 45". */
function binderPages(entry: ManifestEntry, pages: readonly number[]): string {
  return `${entry.volume !== undefined ? `Vol ${entry.volume} · ` : ''}binder page${pages.length === 1 ? '' : 's'} ${pages.join(', ')}`;
}
