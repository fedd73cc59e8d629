// One frame = the text of one QR code (FORMAT §4). Only QR alphanumeric
// characters, so scanners in keyboard mode type it verbatim.
import { crc32 } from 'node:zlib';
import { ascii, concatBytes, readU32be, toHex, u32be, utf8 } from './bytes.js';
import { base45Length, decodeBase45, encodeBase45 } from './base45.js';
import { CorruptFrameError, UnknownFormatError } from '../errors.js';

export const FORMAT_TAG = 'PC1';
/**
 * Default characters per code: a version-25, level-M symbol holds 1,451 in alphanumeric mode (FORMAT §10,
 * ISO/IEC 18004 Table 7). qr/encoder.ts works the same figure out from the symbol's codewords (QR_CAPACITY);
 * the codec imports nothing from qr/, so a test holds the two equal (test/qr/encoder.test.ts).
 */
export const DEFAULT_CAPACITY = 1451;
/** `R` a patient record, `M` a run manifest, `X` parity across a group of records (FORMAT §4.2, §17). */
export type FrameKind = 'R' | 'M' | 'X';
/** Run ids: what the header may carry unescaped (FORMAT §4.2). */
export const RUN_ID_PATTERN = /^[0-9A-Z]{1,32}$/;
/** Bytes of UTF-8 patient id at most (hex in the header, FORMAT §4.2). */
export const MAX_PATIENT_ID_BYTES = 64;
/** Hex digits of the record digest in every header. */
export const DIGEST_PREFIX_HEX = 16;

export interface Frame {
  kind: FrameKind;
  runId: string;
  /** Patient id for `R` frames; null for a manifest or a cross parity document. */
  patientId: string | null;
  /** First 8 bytes of the SHA-256 digest, 16 upper-case hex digits. */
  digestPrefix: string;
  /** 1-based: data frames 1..dataCount, then parity frames. */
  index: number;
  total: number;
  dataCount: number;
  shard: Uint8Array;
}

export function checkRunId(runId: string): void {
  if (!RUN_ID_PATTERN.test(runId)) throw new RangeError(`run id ${JSON.stringify(runId)}, expected 1–32 characters 0-9 A-Z`);
}

function patientField(patientId: string | null): string {
  if (patientId === null) return '';
  const b = utf8.encode(patientId);
  if (b.length < 1 || b.length > MAX_PATIENT_ID_BYTES) throw new RangeError(`patient id of ${b.length} UTF-8 bytes, expected 1..${MAX_PATIENT_ID_BYTES}`);
  return toHex(b).toUpperCase();
}

/** FORMAT §4.1: everything before the payload, ending in ':'. */
export function frameHeader(f: Omit<Frame, 'shard'>): string {
  checkRunId(f.runId);
  if (!/^[0-9A-F]{16}$/.test(f.digestPrefix)) throw new RangeError(`digest prefix ${f.digestPrefix}, expected 16 upper-case hex digits`);
  if (!(f.index >= 1 && f.index <= f.total && f.dataCount >= 1 && f.dataCount <= f.total)) {
    throw new RangeError(`frame ${f.index}/${f.total} with ${f.dataCount} data frames is inconsistent`);
  }
  return `${FORMAT_TAG}:${f.kind}:${f.runId}:${patientField(f.patientId)}:${f.digestPrefix}:${f.index}/${f.total}:${f.dataCount}:`;
}

/** Characters of a frame's text for a header and a shard of `shardBytes` bytes. */
export function frameLength(header: string, shardBytes: number): number {
  return header.length + base45Length(shardBytes + 4);
}

/** FORMAT §4.3: payload = base45(shard ‖ CRC-32(header ASCII ‖ shard)). */
export function encodeFrame(f: Frame): string {
  const header = frameHeader(f);
  const check = crc32(concatBytes(ascii(header), f.shard));
  return header + encodeBase45(concatBytes(f.shard, u32be(check)));
}

const FRAME_RE = /^PC1:([RMX]):([0-9A-Z]{1,32}):((?:[0-9A-F]{2})*):([0-9A-F]{16}):([1-9][0-9]*)\/([1-9][0-9]*):([1-9][0-9]*):/;

/**
 * Parses and checks one code text.
 * @throws UnknownFormatError if the text is not a PC1 code
 * @throws CorruptFrameError for a malformed header, bad base45 or a failed check
 */
export function decodeFrame(text: string): Frame {
  // Scanners may add a trailing newline or carriage return.
  const t = text.replace(/[\r\n]+$/, '');
  if (!t.startsWith(`${FORMAT_TAG}:`)) throw new UnknownFormatError(t.slice(0, 8));
  const m = FRAME_RE.exec(t);
  if (m === null) throw new CorruptFrameError('header does not follow FORMAT §4.1');
  const [header, kind, runId, pidHex, digestPrefix, idx, tot, k] = m as unknown as string[];
  const index = Number(idx), total = Number(tot), dataCount = Number(k);
  if (!(index <= total && dataCount <= total && total <= 65535)) throw new CorruptFrameError(`frame ${idx}/${tot} with ${k} data frames is inconsistent`);
  if ((kind !== 'R') !== (pidHex === '')) throw new CorruptFrameError('patient field does not match the frame kind');
  let payload: Uint8Array;
  try { payload = decodeBase45(t.slice(header!.length)); }
  catch (e) { throw new CorruptFrameError((e as Error).message); }
  if (payload.length < 5) throw new CorruptFrameError(`payload of ${payload.length} bytes, expected at least 5`);
  const shard = payload.subarray(0, payload.length - 4);
  const check = readU32be(payload, payload.length - 4);
  if (crc32(concatBytes(ascii(header!), shard)) !== check) throw new CorruptFrameError(`check value fails for frame ${index}/${total}`);
  let patientId: string | null = null;
  if (kind === 'R') {
    try { patientId = utf8.decode(Uint8Array.from(pidHex!.match(/../g)!.map((h) => parseInt(h, 16)))); }
    catch { throw new CorruptFrameError('patient id is not UTF-8'); }
  }
  return { kind: kind as FrameKind, runId: runId!, patientId, digestPrefix: digestPrefix!, index, total, dataCount, shard: shard.slice() };
}
