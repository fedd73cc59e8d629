// FORMAT §9 for a restore: code texts → checked records, kept deflated until they are compared or written.
import { inflateRawSync } from 'node:zlib';
import {
  crossParities, FrameGrouper, openContainer, reassembleJoined, type DecodeOptions, type DecodedDocument, type FailedDocument, type FrameGroup,
  type RejectedText, type RestoredRecord,
} from '../codec/record-codec.js';
import { CrossParityRecovery, type CrossParity } from '../codec/cross-parity.js';
import { CorruptFrameError, PaperchartError } from '../errors.js';
import { isCanonicalText } from '../record/canonical-match.js';
import type { PatientRecord } from '../record/record.js';
import { checkRecordShape, validateRecord } from '../record/validate-record.js';
import { pacer } from './_pacer.js';
import type { RestoreProgress } from './restore-report.js';

export interface DecodedTexts {
  records: RestoredRecord[]; manifests: DecodedDocument[]; failures: FailedDocument[]; rejected: RejectedText[];
  /** The cross parity documents read (FORMAT §17), for the report's word on what would rebuild a missing patient. */
  parities?: CrossParity[];
}

/**
 * Parses a record's canonical JSON and checks it against the schema's exact
 * shape before anything else looks at it, then its canonical form and dates.
 * @throws CorruptFrameError, MalformedRecordError, InvalidRecordError
 */
function checkRecordText(doc: DecodedDocument & { patientId: string }): void {
  let value: unknown;
  try { value = JSON.parse(doc.canonical); } catch { throw new CorruptFrameError(`run ${doc.runId}: record content is not JSON`); }
  checkRecordShape(value, doc.patientId);
  if (!isCanonicalText(value, doc.canonical)) throw new CorruptFrameError(`run ${doc.runId} patient ${doc.patientId}: record is not in canonical form`);
  validateRecord(value, null);
}

/**
 * A record checked (checkRecordText), kept deflated, as the codes carried it, and inflated again where it is compared
 * or written: held as objects or as text until the write, a 25,000-patient restore took 1.2 GB.
 * @throws as checkRecordText
 */
function keptDeflated(doc: DecodedDocument): RestoredRecord {
  const named = { ...doc, patientId: doc.patientId! };
  checkRecordText(named);
  const { compressed } = doc;
  const { canonical: _text, ...rest } = named;
  const restored = rest as RestoredRecord;
  const text = (): string => inflateRawSync(compressed).toString('utf8');
  Object.defineProperty(restored, 'canonical', { get: text, enumerable: true });
  Object.defineProperty(restored, 'record', { get: () => JSON.parse(text()) as PatientRecord, enumerable: true });
  return restored;
}

/**
 * FORMAT §9 as decodeRecords does it, one document at a time with returns to
 * the event loop between them, and each record checked against the schema; a record whose codes are lost
 * rebuilt from its group's cross parity (§17.3).
 * Never throws for bad codes or bad records: they are listed in `failures` and `rejected`.
 */
export async function decodeTexts(texts: Iterable<string>, opts: DecodeOptions, onProgress?: RestoreProgress): Promise<DecodedTexts> {
  // Grouped a text at a time with pauses: in one call, 75,000 codes (25,000 patients) kept Ctrl-C waiting about 7 s.
  const grouper = new FrameGrouper();
  const pause = pacer();
  for (const text of texts) { grouper.add(text); await pause(); }
  const { groups, rejected } = grouper.result();
  const out: DecodedTexts = { records: [], manifests: [], failures: [], rejected };
  const failed = (g: Pick<FrameGroup, 'kind' | 'runId' | 'patientId' | 'digestPrefix'>, e: unknown): void => {
    if (!(e instanceof PaperchartError)) throw e;
    out.failures.push({ kind: g.kind, runId: g.runId, patientId: g.patientId, digestPrefix: g.digestPrefix, error: e });
  };
  // FORMAT §17: the cross parity documents first, so that each record is XORed out of its group as it is read.
  const recovery = new CrossParityRecovery(crossParities(groups, opts, failed));
  onProgress?.(0, groups.length, 'decode');
  for (const [i, g] of groups.entries()) {
    if (g.kind === 'X') continue;
    try {
      const { doc, joined } = reassembleJoined(g, opts);
      if (doc.kind === 'M') out.manifests.push(doc);
      else { out.records.push(keptDeflated(doc)); recovery.offer(doc, joined); }
    } catch (e) { failed(g, e); } finally {
      g.frames.clear(); // read: its shards need not wait for every other document
    }
    if (await pause()) onProgress?.(i + 1, groups.length, 'decode');
  }
  for (const r of recovery.rebuild((c, head) => openContainer(c, head, opts))) {
    const key = r.ok ? { kind: 'R' as const, runId: r.doc.runId, patientId: r.doc.patientId, digestPrefix: r.doc.digest.slice(0, 16).toUpperCase() }
      : { kind: 'R' as const, runId: r.runId, patientId: r.member.patientId, digestPrefix: r.member.digest };
    const had = out.failures.findIndex((f) => f.kind === 'R' && f.runId === key.runId && f.patientId === key.patientId && f.digestPrefix === key.digestPrefix);
    if (!r.ok) { if (had < 0) failed(key, r.error); continue; }
    try { out.records.push(keptDeflated(r.doc)); if (had >= 0) out.failures.splice(had, 1); } catch (e) { if (had < 0) failed(key, e); }
  }
  out.parities = recovery.parities;
  onProgress?.(groups.length, groups.length, 'decode');
  return out;
}
