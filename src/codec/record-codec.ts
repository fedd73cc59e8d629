// The paper format's pipeline (FORMAT §2): canonical JSON → SHA-256 →
// raw deflate → optional AES-256-GCM → container (with Ed25519 signature) →
// data frames → Reed–Solomon parity frames → code texts; and back.
import { createHash, type KeyObject } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { canonicalJson } from '../record/canonical-json.js';
import { isCanonicalText } from '../record/canonical-match.js';
import type { PatientRecord } from '../record/record.js';
import { PaperchartError } from '../errors.js';
import { bytesEqual, toHex, utf8 } from './bytes.js';
import {
  CorruptFrameError, DecryptError, DigestMismatchError, BadSignatureError, InsufficientFramesError,
  KeyError, RecordTooLargeError, UnsignedRecordError,
} from '../errors.js';
import {
  FLAG_ENCRYPTED, FLAG_SIGNED, checkPrintedAt, decodeContainer, decryptBody, encodeContainer, encryptBody,
  signBytes, signedBytes, verifyBytes,
} from './container.js';
import { encodeParity, parityPlan, recoverData } from './erasure.js';
import { CrossParityRecovery, parseCrossParity, type CrossParity } from './cross-parity.js';
import { DEFAULT_CAPACITY, checkRunId, decodeFrame, encodeFrame, frameHeader, frameLength, type Frame, type FrameKind } from './frame.js';

export interface EncodeOptions {
  /** Print run id, 1–32 characters 0-9 A-Z (FORMAT §4.2). */
  runId: string;
  /** UTC time printed, YYYY-MM-DDTHH:MM:SSZ; injected, never read from a clock. */
  printedAt: string;
  /** Ed25519 private key; without it the codes are unsigned. */
  signingKey?: KeyObject;
  /** 32-byte AES-256-GCM key; without it the record is not encrypted. */
  encryptKey?: Uint8Array;
  /** Most characters per code text (default 1451: QR 25-M alphanumeric). */
  capacity?: number;
  /** Most codes per patient; a larger record is refused, never truncated (default 1000). */
  maxCodes?: number;
}

/** Every intermediate form of one encoded document, for test vectors and reports. */
export interface EncodedDocument {
  kind: FrameKind;
  patientId: string | null;
  /** The canonical JSON text as UTF-8: what the digest is of. */
  content: Uint8Array;
  digest: Uint8Array;
  compressed: Uint8Array;
  signed: Uint8Array;
  signature: Uint8Array | null;
  container: Uint8Array;
  dataCount: number;
  parityCount: number;
  shardBytes: number;
  texts: string[];
}

export const DEFAULT_MAX_CODES = 1000;

/** Largest shard that keeps every frame within `capacity` when the total has `totalDigits` digits. */
function maxShardBytes(kind: FrameKind, runId: string, patientId: string | null, totalDigits: number, capacity: number): number {
  const n = 10 ** totalDigits - 1;
  const header = frameHeader({ kind, runId, patientId, digestPrefix: '0'.repeat(16), index: n, total: n, dataCount: n });
  let l = Math.floor(((capacity - header.length) / 3) * 2) - 4;
  while (l > 0 && frameLength(header, l) > capacity) l--;
  if (l < 1) throw new RangeError(`capacity=${capacity} characters leaves no room for data, expected at least ${header.length + 9}`);
  return l;
}

/** FORMAT §7.3: data shard j (0-based) belongs to group j mod G. */
function groupMembers(k: number, groups: number, g: number): number[] {
  const out: number[] = [];
  for (let j = g; j < k; j += groups) out.push(j);
  return out;
}

/** FORMAT §5.2: a document's content compressed as its container's body: raw deflate, level 9, default window and memory level. */
export function compressContent(content: Uint8Array): Uint8Array {
  return new Uint8Array(deflateRawSync(content, { level: 9 }));
}

/** FORMAT §7.1: the data shards (k = ceil(c / Lmax)) and parity plan of a container of `containerLength` bytes; k + parity is its codes. */
export function shardPlan(kind: FrameKind, runId: string, patientId: string | null, containerLength: number, capacity = DEFAULT_CAPACITY): { k: number; plan: ReturnType<typeof parityPlan> } {
  let totalDigits = 1, k = 0, plan = parityPlan(1);
  for (;;) {
    k = Math.ceil(containerLength / maxShardBytes(kind, runId, patientId, totalDigits, capacity));
    plan = parityPlan(k);
    const n = k + plan.parity;
    if (String(n).length <= totalDigits) break;
    totalDigits = String(n).length;
  }
  return { k, plan };
}

/**
 * Encodes any canonical JSON text, or its UTF-8 bytes, as frames (records and manifests share this).
 * @throws RecordTooLargeError when the document needs more than maxCodes codes
 * @throws KeyError for a signing key that is not Ed25519 or an encryption key that is not 32 bytes
 */
export function encodeDocument(kind: FrameKind, patientId: string | null, canonical: string | Uint8Array, opts: EncodeOptions): EncodedDocument {
  checkRunId(opts.runId);
  checkPrintedAt(opts.printedAt);
  const capacity = opts.capacity ?? DEFAULT_CAPACITY;
  const maxCodes = opts.maxCodes ?? DEFAULT_MAX_CODES;
  const content = typeof canonical === 'string' ? utf8.encode(canonical) : canonical;
  const digest = new Uint8Array(createHash('sha256').update(content).digest());
  const compressed = compressContent(content);
  const signed = signedBytes(kind, digest, opts.runId, opts.printedAt);
  const signature = opts.signingKey ? signBytes(signed, opts.signingKey) : null;
  let body: Uint8Array = compressed;
  let nonce: Uint8Array | null = null;
  if (opts.encryptKey !== undefined) ({ body, nonce } = encryptBody(compressed, opts.encryptKey, signed));
  const flags = (signature ? FLAG_SIGNED : 0) | (nonce ? FLAG_ENCRYPTED : 0);
  const container = encodeContainer({ flags, digest, printedAt: opts.printedAt, signature, nonce, body });

  const { k, plan } = shardPlan(kind, opts.runId, patientId, container.length, capacity);
  const total = k + plan.parity;
  if (total > maxCodes) throw new RecordTooLargeError(patientId ?? '(manifest)', total, maxCodes);
  const len = Math.ceil(container.length / k);
  const padded = new Uint8Array(k * len);
  padded.set(container);
  const shards: Uint8Array[] = [];
  for (let j = 0; j < k; j++) shards.push(padded.subarray(j * len, (j + 1) * len));
  // FORMAT §7.3: parity of group g follows all data frames, groups in order.
  for (let g = 0; g < plan.groups; g++) {
    shards.push(...encodeParity(groupMembers(k, plan.groups, g).map((j) => shards[j]!), plan.parityPerGroup));
  }
  const digestPrefix = toHex(digest.subarray(0, 8)).toUpperCase();
  const texts = shards.map((shard, i) => encodeFrame({
    kind, runId: opts.runId, patientId, digestPrefix, index: i + 1, total, dataCount: k, shard,
  }));
  return {
    kind, patientId, content, digest, compressed, signed, signature, container,
    dataCount: k, parityCount: plan.parity, shardBytes: len, texts,
  };
}

/**
 * Encodes one patient's record as QR code texts (FORMAT §2).
 * @throws RecordTooLargeError, KeyError; RangeError for a bad run id, time or capacity
 */
export function encodeRecord(record: PatientRecord, opts: EncodeOptions): string[] {
  return encodeDocument('R', record.patient.id, canonicalJson(record), opts).texts;
}

// ---------------------------------------------------------------- decoding

export interface DecodeOptions {
  /** Clinic public key (Ed25519). */
  publicKey?: KeyObject;
  /** Accept documents with no signature, or none that can be checked. */
  trustUnsigned?: boolean;
  /** 32-byte key for encrypted documents. */
  decryptKey?: Uint8Array;
}

/** Frames of one document: same kind, run, patient, digest prefix, counts and shard size. */
export interface FrameGroup {
  kind: FrameKind;
  runId: string;
  patientId: string | null;
  digestPrefix: string;
  total: number;
  dataCount: number;
  shardBytes: number;
  /** By 1-based index. */
  frames: Map<number, Frame>;
  /** Indices seen with two different contents; treated as lost. */
  conflicts: Set<number>;
}

export interface RejectedText { text: string; error: PaperchartError }

/** FORMAT §9.1: parse every text, drop duplicates, sort the rest into documents. Never throws for bad texts. */
export function groupFrames(texts: Iterable<string>): { groups: FrameGroup[]; rejected: RejectedText[] } {
  const grouper = new FrameGrouper();
  for (const text of texts) grouper.add(text);
  return grouper.result();
}

/** groupFrames one text at a time, for a caller that must stay responsive between texts (a restore hears Ctrl-C). */
/** FORMAT §15: the binder's decoder program is printed in codes of its own (layout/decoder-pages.ts), which are not frames. */
export const DECODER_CODE_PREFIX = 'PCDEC ';

export class FrameGrouper {
  private readonly byKey = new Map<string, FrameGroup>();
  private readonly rejected: RejectedText[] = [];

  add(text: string): void {
    if (text.trim() === '' || text.startsWith(DECODER_CODE_PREFIX)) return;
    let f: Frame;
    try { f = decodeFrame(text); }
    catch (e) { if (e instanceof PaperchartError) { this.rejected.push({ text, error: e }); return; } throw e; }
    const key = [f.kind, f.runId, f.patientId ?? '', f.digestPrefix, f.total, f.dataCount, f.shard.length].join('\u0000');
    let g = this.byKey.get(key);
    if (!g) {
      g = { kind: f.kind, runId: f.runId, patientId: f.patientId, digestPrefix: f.digestPrefix, total: f.total,
        dataCount: f.dataCount, shardBytes: f.shard.length, frames: new Map(), conflicts: new Set() };
      this.byKey.set(key, g);
    }
    const had = g.frames.get(f.index);
    if (had && !bytesEqual(had.shard, f.shard)) g.conflicts.add(f.index);
    else if (!had) g.frames.set(f.index, f);
  }

  /** The groups in a stable order (run, kind, patient, digest), and the texts that are not codes. */
  result(): { groups: FrameGroup[]; rejected: RejectedText[] } {
    const groups = [...this.byKey.values()].sort((a, b) =>
      cmp(a.runId, b.runId) || cmp(a.kind, b.kind) || cmp(a.patientId ?? '', b.patientId ?? '') || cmp(a.digestPrefix, b.digestPrefix));
    return { groups, rejected: this.rejected };
  }
}

function cmp(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0; }

export type SignatureStatus = 'valid' | 'absent' | 'unverified';

export interface DecodedDocument {
  kind: FrameKind;
  runId: string;
  patientId: string | null;
  digest: string;
  printedAt: string;
  signature: SignatureStatus;
  encrypted: boolean;
  /** Canonical JSON text. */
  canonical: string;
  /** The canonical text raw-deflated, as the codes carry it (decrypted): a tenth of its size, to keep while other records are read. */
  compressed: Uint8Array;
  /** Codes rebuilt from parity (1-based indices). */
  recovered: number[];
  /** FORMAT §17.3: rebuilt whole from the cross parity document of this digest prefix, none of its own codes used. */
  rebuiltFrom?: string;
}

/** Inflated content is capped so a forged code cannot exhaust memory. */
const MAX_CONTENT_BYTES = 64 * 1024 * 1024;

/** What a document's frames say of it, enough to check a container rebuilt another way (FORMAT §17.3). */
export interface DocumentHead { kind: FrameKind; runId: string; patientId: string | null; digestPrefix: string }

/**
 * FORMAT §9.2: rebuild one document from its frames and check it.
 * @throws InsufficientFramesError, CorruptFrameError, DigestMismatchError, BadSignatureError,
 *   UnsignedRecordError, DecryptError
 */
export function reassembleDocument(group: FrameGroup, opts: DecodeOptions = {}): DecodedDocument {
  return reassembleJoined(group, opts).doc;
}

/**
 * reassembleDocument, also giving the data shards joined (the container, zero-padded): what a cross parity
 * document (FORMAT §17) is the XOR of.
 * @throws as reassembleDocument
 */
export function reassembleJoined(group: FrameGroup, opts: DecodeOptions = {}): { doc: DecodedDocument; joined: Uint8Array } {
  const { joined, recovered } = joinFrames(group);
  return { doc: openContainer(joined, group, opts, recovered), joined };
}

/** FORMAT §9.2 steps 1–2: the data shards, rebuilt from parity where lost. */
function joinFrames(group: FrameGroup): { joined: Uint8Array; recovered: number[] } {
  const { runId, patientId, total, dataCount: k } = group;
  const plan = parityPlan(k);
  if (k + plan.parity !== total) throw new CorruptFrameError(`${total} codes with ${k} data codes does not follow the parity rule (FORMAT §7.3)`);
  const have = (i: number): Uint8Array | undefined => (group.conflicts.has(i + 1) ? undefined : group.frames.get(i + 1)?.shard);
  // Count what is held per Reed–Solomon group from the frames read, never by walking the `total` a header
  // declares: 2,500 forged lines each declaring 65,535 codes ran the heap out of memory that way.
  const held = [...group.frames.keys()].filter((i) => !group.conflicts.has(i)).sort((a, b) => a - b);
  const heldPerGroup = new Uint32Array(plan.groups);
  for (const i of held) heldPerGroup[i <= k ? (i - 1) % plan.groups : Math.floor((i - 1 - k) / plan.parityPerGroup)]!++;
  let needed = 0;
  for (let g = 0; g < plan.groups; g++) {
    const slots = Math.floor((k - 1 - g) / plan.groups) + 1 + plan.parityPerGroup;
    needed += Math.max(0, slots - heldPerGroup[g]! - plan.parityPerGroup);
  }
  if (needed > 0) {
    const missing: [number, number][] = [];
    let next = 1;
    for (const i of held) { if (i > next) missing.push([next, i - 1]); next = i + 1; }
    if (next <= total) missing.push([next, total]);
    throw new InsufficientFramesError(runId, patientId, missing, needed);
  }
  // Every group lost at most its parity, so at least k frames were read: what follows is sized by codes read.
  const shardBytes = group.shardBytes;
  const joined = new Uint8Array(k * shardBytes);
  const recovered: number[] = [];
  for (let g = 0; g < plan.groups; g++) {
    const members = groupMembers(k, plan.groups, g);
    const slots: (Uint8Array | undefined)[] = members.map(have);
    for (let p = 0; p < plan.parityPerGroup; p++) slots.push(have(k + g * plan.parityPerGroup + p));
    const rec = recoverData(slots, members.length, plan.parityPerGroup);
    members.forEach((j, t) => { joined.set(rec[t]!, j * shardBytes); if (have(j) === undefined) recovered.push(j + 1); });
  }
  recovered.sort((a, b) => a - b);
  return { joined, recovered };
}

/**
 * FORMAT §9.2 steps 3–6 on a container (zero-padded or not), whether joined from a document's own frames or
 * rebuilt from a cross parity document (§17.3): a rebuilt record is checked exactly as a read one.
 * @throws DigestMismatchError, BadSignatureError, UnsignedRecordError, DecryptError, KeyError
 */
export function openContainer(joined: Uint8Array, head: DocumentHead, opts: DecodeOptions = {}, recovered: number[] = []): DecodedDocument {
  const { runId, patientId, kind } = head;
  const c = decodeContainer(joined);
  if (typeof c === 'string') throw new DigestMismatchError(runId, patientId, c);
  const digestHex = toHex(c.digest);
  if (digestHex.slice(0, 16).toUpperCase() !== head.digestPrefix) throw new DigestMismatchError(runId, patientId, 'the digest differs from the codes\' digest prefix');

  // FORMAT §6.2: the signature covers the digest; the digest covers the content. A cross parity document needs no
  // signature (§17.4): what it rebuilds passes these checks under its own signature.
  const trust = opts.trustUnsigned === true || kind === 'X';
  const signed = signedBytes(kind, c.digest, runId, c.printedAt);
  let signature: SignatureStatus;
  if (c.signature) {
    if (opts.publicKey) {
      if (!verifyBytes(signed, c.signature, opts.publicKey)) throw new BadSignatureError(runId, patientId);
      signature = 'valid';
    } else if (trust) signature = 'unverified';
    else throw new UnsignedRecordError(runId, patientId, 'signed, but no public key was given to check the signature');
  } else if (trust) signature = 'absent';
  else throw new UnsignedRecordError(runId, patientId, 'the codes carry no signature');

  let compressed = c.body;
  const encrypted = (c.flags & FLAG_ENCRYPTED) !== 0;
  if (encrypted) {
    if (!opts.decryptKey) throw new DecryptError(runId, patientId, 'the record is encrypted and no key was given');
    if (opts.decryptKey.length !== 32) throw new KeyError(`decryption key of ${opts.decryptKey.length} bytes, expected 32`);
    try { compressed = decryptBody(c.body, c.nonce!, opts.decryptKey, signed); }
    catch (cause) { throw new DecryptError(runId, patientId, 'wrong key, or the codes were altered', { cause }); }
  }
  let content: Uint8Array;
  try {
    const inflated = inflateRawSync(compressed, { maxOutputLength: MAX_CONTENT_BYTES });
    content = new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength); // a view: new Uint8Array(buffer) would copy it
  }
  catch (cause) { throw new DigestMismatchError(runId, patientId, 'the content does not inflate', { cause }); }
  if (!bytesEqual(new Uint8Array(createHash('sha256').update(content).digest()), c.digest)) throw new DigestMismatchError(runId, patientId);
  // FORMAT §17.2: a cross parity document's content is its JSON head, a line feed, then bytes; `canonical` is the head.
  if (kind === 'X') { const lf = content.indexOf(0x0a); content = lf < 0 ? content : content.subarray(0, lf); }
  let canonical: string;
  try { canonical = utf8.decode(content); } catch (cause) { throw new DigestMismatchError(runId, patientId, 'the content is not UTF-8', { cause }); }
  return { kind, runId, patientId, digest: digestHex, printedAt: c.printedAt, signature, encrypted, canonical, compressed, recovered };
}

export interface RestoredRecord extends DecodedDocument { patientId: string; record: PatientRecord }
export interface FailedDocument { kind: FrameKind; runId: string; patientId: string | null; digestPrefix: string; error: PaperchartError }

/** Parses a record's canonical JSON and checks it names the header's patient. */
export function parseRecord(doc: DecodedDocument): PatientRecord {
  let value: unknown;
  try { value = JSON.parse(doc.canonical); } catch { throw new CorruptFrameError(`run ${doc.runId}: record content is not JSON`); }
  const rec = value as PatientRecord;
  if (typeof rec !== 'object' || rec === null || typeof rec.patient !== 'object' || rec.patient === null) {
    throw new CorruptFrameError(`run ${doc.runId}: content is not a patient record`);
  }
  if (rec.patient.id !== doc.patientId) throw new CorruptFrameError(`run ${doc.runId}: codes labelled patient ${doc.patientId} hold another patient's record`);
  if (!isCanonicalText(rec, doc.canonical)) throw new CorruptFrameError(`run ${doc.runId} patient ${doc.patientId}: record is not in canonical form`);
  return rec;
}

/**
 * FORMAT §9: sorts a bag of code texts (any order, duplicates, many patients
 * and runs) into documents and restores every patient record it can, a record
 * whose codes are lost rebuilt from its group's cross parity document (§17.3).
 * Never throws for bad input: failures are listed per document.
 */
export function decodeRecords(texts: Iterable<string>, opts: DecodeOptions = {}): {
  records: RestoredRecord[]; manifests: DecodedDocument[]; failures: FailedDocument[]; rejected: RejectedText[]; parities: CrossParity[]; unbalanced: CrossParity[];
} {
  const { groups, rejected } = groupFrames(texts);
  const records: RestoredRecord[] = [], manifests: DecodedDocument[] = [], failures: FailedDocument[] = [];
  const failed = (g: Pick<FailedDocument, 'kind' | 'runId' | 'patientId' | 'digestPrefix'>, e: unknown): void => {
    if (!(e instanceof PaperchartError)) throw e;
    failures.push({ kind: g.kind, runId: g.runId, patientId: g.patientId, digestPrefix: g.digestPrefix, error: e });
  };
  const take = (doc: DecodedDocument): void => {
    const record = parseRecord(doc);
    // The canonical text is written again only when asked for (to compare with a store's record): kept both
    // as text and as objects, a 25,000-patient restore held about 40 KB a patient more (measured).
    const restored = { ...doc, patientId: doc.patientId!, record };
    Object.defineProperty(restored, 'canonical', { get: () => canonicalJson(record), enumerable: true });
    records.push(restored);
  };
  const recovery = new CrossParityRecovery(crossParities(groups, opts, failed));
  for (const g of groups) {
    if (g.kind === 'X') continue;
    try {
      const { doc, joined } = reassembleJoined(g, opts);
      if (doc.kind === 'M') manifests.push(doc);
      else { take(doc); recovery.offer(doc, joined); }
    } catch (e) { failed(g, e); } finally {
      g.frames.clear(); // read: its shards need not wait for every other document
    }
  }
  for (const r of recovery.rebuild((c, head) => openContainer(c, head, opts))) {
    const key = r.ok ? { runId: r.doc.runId, patientId: r.doc.patientId!, digestPrefix: r.doc.digest.slice(0, 16).toUpperCase() }
      : { runId: r.runId, patientId: r.member.patientId, digestPrefix: r.member.digest };
    const had = failures.findIndex((f) => f.kind === 'R' && f.runId === key.runId && f.patientId === key.patientId && f.digestPrefix === key.digestPrefix);
    if (!r.ok) { if (had < 0) failed({ kind: 'R', ...key }, r.error); continue; }
    try { take(r.doc); if (had >= 0) failures.splice(had, 1); } catch (e) { if (had < 0) failed({ kind: 'R', ...key }, e); }
  }
  return { records, manifests, failures, rejected, parities: recovery.parities, unbalanced: recovery.unbalanced() };
}

/** FORMAT §17: the cross parity documents among the groups, read first so that records can be offered to them as they are read. */
export function crossParities(groups: readonly FrameGroup[], opts: DecodeOptions, failed: (g: FrameGroup, e: unknown) => void): CrossParity[] {
  const out: CrossParity[] = [];
  for (const g of groups) {
    if (g.kind !== 'X') continue;
    try { out.push(parseCrossParity(reassembleDocument(g, opts))); } catch (e) { failed(g, e); } finally { g.frames.clear(); }
  }
  return out;
}

/**
 * Restores the one patient record the texts hold.
 * @throws the document's error (InsufficientFramesError, DigestMismatchError, BadSignatureError, ...);
 *   CorruptFrameError if the texts hold no record or several; UnknownFormatError if no text is a PC1 code
 */
export function decodeRecord(texts: Iterable<string>, opts: DecodeOptions = {}): PatientRecord {
  const r = decodeRecords(texts, opts);
  const failure = r.failures.find((f) => f.kind === 'R');
  if (r.records.length + r.failures.filter((f) => f.kind === 'R').length > 1) throw new CorruptFrameError('the codes hold more than one record');
  if (failure) throw failure.error;
  if (r.records.length === 0) throw r.rejected[0]?.error ?? new CorruptFrameError('no record codes found');
  return r.records[0]!.record;
}
