// The container: the bytes split across a document's data frames (FORMAT §5),
// the signed bytes (§6) and the encryption (§8).
import { createCipheriv, createDecipheriv, createHmac, sign, verify, type KeyObject } from 'node:crypto';
import { ascii, bytesEqual, concatBytes, readU32be, u32be } from './bytes.js';
import { KeyError } from '../errors.js';
import type { FrameKind } from './frame.js';

export const CONTAINER_VERSION = 1;
export const FLAG_SIGNED = 1;
export const FLAG_ENCRYPTED = 2;
export const PRINTED_AT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export interface Container {
  flags: number;
  digest: Uint8Array;
  printedAt: string;
  signature: Uint8Array | null;
  nonce: Uint8Array | null;
  /** Raw deflate of the content, or its AES-256-GCM ciphertext ‖ tag. */
  body: Uint8Array;
}

export function checkPrintedAt(printedAt: string): void {
  if (!PRINTED_AT_PATTERN.test(printedAt)) throw new RangeError(`printedAt ${JSON.stringify(printedAt)}, expected YYYY-MM-DDTHH:MM:SSZ`);
}

/** FORMAT §6.1: "PC1SIG" ‖ kind ‖ digest ‖ len ‖ run id ‖ len ‖ printedAt. */
export function signedBytes(kind: FrameKind, digest: Uint8Array, runId: string, printedAt: string): Uint8Array {
  const run = ascii(runId), at = ascii(printedAt);
  return concatBytes(ascii('PC1SIG'), ascii(kind), digest, Uint8Array.of(run.length), run, Uint8Array.of(at.length), at);
}

export function signBytes(bytes: Uint8Array, key: KeyObject): Uint8Array {
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') throw new KeyError(`signing key is a ${key.asymmetricKeyType ?? ''} ${key.type} key, expected an Ed25519 private key`);
  return new Uint8Array(sign(null, bytes, key));
}

export function verifyBytes(bytes: Uint8Array, signature: Uint8Array, key: KeyObject): boolean {
  if (key.asymmetricKeyType !== 'ed25519') throw new KeyError(`public key type ${key.asymmetricKeyType}, expected ed25519`);
  return verify(null, bytes, key, signature);
}

function checkEncryptKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new KeyError(`encryption key of ${key?.length} bytes, expected 32`);
}

/**
 * FORMAT §8: nonce = first 12 bytes of HMAC-SHA256(key, "PC1NONCE" ‖ signed bytes).
 * Deterministic: the same nonce only recurs for the same record, run and time,
 * i.e. for the same plaintext and AAD, which reveals nothing new (SIV-style).
 */
export function deriveNonce(key: Uint8Array, aad: Uint8Array): Uint8Array {
  checkEncryptKey(key);
  return new Uint8Array(createHmac('sha256', key).update(ascii('PC1NONCE')).update(aad).digest().subarray(0, 12));
}

export function encryptBody(plain: Uint8Array, key: Uint8Array, aad: Uint8Array): { nonce: Uint8Array; body: Uint8Array } {
  const nonce = deriveNonce(key, aad);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad);
  const ct = concatBytes(c.update(plain), c.final());
  return { nonce, body: concatBytes(ct, c.getAuthTag()) };
}

/** @throws Error if authentication fails (the caller turns it into DecryptError) */
export function decryptBody(body: Uint8Array, nonce: Uint8Array, key: Uint8Array, aad: Uint8Array): Uint8Array {
  checkEncryptKey(key);
  if (body.length < 16) throw new Error('ciphertext shorter than its tag');
  const d = createDecipheriv('aes-256-gcm', key, nonce);
  d.setAAD(aad);
  d.setAuthTag(body.subarray(body.length - 16));
  return concatBytes(d.update(body.subarray(0, body.length - 16)), d.final());
}

export function encodeContainer(c: Container): Uint8Array {
  const at = ascii(c.printedAt);
  return concatBytes(
    Uint8Array.of(CONTAINER_VERSION, c.flags), c.digest, Uint8Array.of(at.length), at,
    c.signature ?? new Uint8Array(0), c.nonce ?? new Uint8Array(0), u32be(c.body.length), c.body,
  );
}

/** Parses reassembled data (with trailing zero padding). Returns an error text instead of throwing. */
export function decodeContainer(b: Uint8Array): Container | string {
  if (b.length < 35) return `container of ${b.length} bytes is too short`;
  if (b[0] !== CONTAINER_VERSION) return `container version ${b[0]}, expected ${CONTAINER_VERSION}`;
  const flags = b[1]!;
  if ((flags & ~(FLAG_SIGNED | FLAG_ENCRYPTED)) !== 0) return `container flags ${flags} unknown`;
  let o = 2;
  const digest = b.slice(o, o + 32); o += 32;
  const atLen = b[o++]!;
  if (o + atLen > b.length) return 'container is truncated';
  const printedAt = String.fromCharCode(...b.subarray(o, o + atLen)); o += atLen;
  if (!PRINTED_AT_PATTERN.test(printedAt)) return 'container print time is malformed';
  let signature: Uint8Array | null = null, nonce: Uint8Array | null = null;
  if (flags & FLAG_SIGNED) { signature = b.slice(o, o + 64); o += 64; }
  if (flags & FLAG_ENCRYPTED) { nonce = b.slice(o, o + 12); o += 12; }
  if (o + 4 > b.length) return 'container is truncated';
  const len = readU32be(b, o); o += 4;
  if (o + len > b.length) return `container body of ${len} bytes overruns the data`;
  const body = b.subarray(o, o + len); // a view: the reassembled data is the record's largest buffer, not copied again
  if (!bytesEqual(b.subarray(o + len), new Uint8Array(b.length - o - len))) return 'container padding is not zero';
  return { flags, digest, printedAt, signature, nonce, body };
}
