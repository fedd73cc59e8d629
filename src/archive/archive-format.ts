// The off-site archive (FORMAT §16): a run's code texts in one file, encrypted with AES-256-GCM under a key from
// a passphrase (scrypt) or from the clinic's record key (HKDF), the parameters in a header the cipher authenticates.
import { hkdfSync, randomBytes, scryptSync } from 'node:crypto';
import { ArchiveError } from '../errors.js';

/** FORMAT §16.1: the file's first 12 bytes. */
export const ARCHIVE_MAGIC = Buffer.from('PC1-ARCHIVE\n', 'ascii');
export const ARCHIVE_FORMAT = 'PC1-archive';
export const TAG_BYTES = 16;
/** The longest header read: a header is about 250 bytes; anything much longer is not one. */
const MAX_HEADER_BYTES = 4096;

/** scrypt's cost: 2^17 × 8 × 128 bytes = 128 MiB and about half a second here, OWASP's floor for scrypt (2023). */
export const SCRYPT_DEFAULTS = { N: 1 << 17, r: 8, p: 1 } as const;
/** The most memory an archive's scrypt parameters may ask of a restore: a hostile header is refused, not obeyed. */
const MAX_SCRYPT_BYTES = 1 << 30;

export type ArchiveKeyKind = 'scrypt' | 'record-key';

export interface ArchiveHeader {
  format: typeof ARCHIVE_FORMAT;
  version: 1;
  run: string;
  printed_at: string;
  key: ArchiveKeyKind;
  /** hex, 16 bytes: scrypt's salt, or HKDF's for a record key. */
  salt: string;
  /** scrypt's cost parameters (key "scrypt" only). */
  scrypt?: { N: number; r: number; p: number };
  /** hex, 12 bytes: AES-GCM's nonce. */
  nonce: string;
}

/** What opens an archive: the passphrase (as read from its file) or the clinic's 32-byte record key. */
export interface ArchiveSecret { passphrase?: string; recordKey?: Uint8Array }

/** A new archive's header, with a fresh salt and nonce. */
export function newArchiveHeader(run: string, printedAt: string, secret: ArchiveSecret): ArchiveHeader {
  return {
    format: ARCHIVE_FORMAT, version: 1, run, printed_at: printedAt, key: secret.passphrase !== undefined ? 'scrypt' : 'record-key',
    salt: randomBytes(16).toString('hex'), ...(secret.passphrase !== undefined ? { scrypt: { ...SCRYPT_DEFAULTS } } : {}),
    nonce: randomBytes(12).toString('hex'),
  };
}

/** FORMAT §16.1: magic, header length (u32 big-endian), header as JSON with sorted keys. The cipher's AAD is these bytes. */
export function encodeArchiveHead(header: ArchiveHeader): Buffer {
  // Keys sorted at every level (a replacer array would also drop the nested scrypt parameters' keys).
  const sorted = (v: unknown): unknown => (typeof v === 'object' && v !== null
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v);
  const json = Buffer.from(JSON.stringify(sorted(header)), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([ARCHIVE_MAGIC, length, json]);
}

/**
 * Reads the head of an archive from its first bytes.
 * @returns the header and the length of the head (where the ciphertext starts)
 * @throws ArchiveError for a file too short for its head or a header that is not one
 */
export function decodeArchiveHead(path: string, head: Uint8Array, fileSize: number): { header: ArchiveHeader; headLength: number } {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.length < ARCHIVE_MAGIC.length + 4 || !b.subarray(0, ARCHIVE_MAGIC.length).equals(ARCHIVE_MAGIC)) throw new ArchiveError(path, 'it is not a paperchart archive or is truncated');
  const length = b.readUInt32BE(ARCHIVE_MAGIC.length);
  const headLength = ARCHIVE_MAGIC.length + 4 + length;
  if (length > MAX_HEADER_BYTES || headLength > b.length || headLength + TAG_BYTES > fileSize) throw new ArchiveError(path, 'it is truncated or its header is damaged');
  let h: Partial<ArchiveHeader>;
  try { h = JSON.parse(b.subarray(ARCHIVE_MAGIC.length + 4, headLength).toString('utf8')) as Partial<ArchiveHeader>; } catch { throw new ArchiveError(path, 'its header is damaged'); }
  const hex = (v: unknown, bytes: number): boolean => typeof v === 'string' && new RegExp(`^[0-9a-f]{${2 * bytes}}$`).test(v);
  const s = h.scrypt;
  const scryptOk = h.key === 'record-key' || (typeof s === 'object' && s !== null && [s.N, s.r, s.p].every((n) => Number.isSafeInteger(n) && n > 0)
    && (s.N & (s.N - 1)) === 0 && 128 * s.N * s.r <= MAX_SCRYPT_BYTES && s.p <= 16);
  if (h.format !== ARCHIVE_FORMAT || h.version !== 1 || typeof h.run !== 'string' || typeof h.printed_at !== 'string'
    || (h.key !== 'scrypt' && h.key !== 'record-key') || !hex(h.salt, 16) || !hex(h.nonce, 12) || !scryptOk) {
    throw new ArchiveError(path, 'its header is damaged or of a version this paperchart does not read');
  }
  return { header: h as ArchiveHeader, headLength };
}

/**
 * The AES-256 key of an archive: scrypt of the passphrase (UTF-8, NFC) for key "scrypt", HKDF-SHA256 of the
 * record key with info "PC1-archive" for key "record-key"; the header's salt in both.
 * @throws ArchiveError when the secret is not of the header's kind
 */
export function archiveKey(path: string, header: ArchiveHeader, secret: ArchiveSecret): Buffer {
  const salt = Buffer.from(header.salt, 'hex');
  if (header.key === 'scrypt') {
    if (secret.passphrase === undefined) throw new ArchiveError(path, 'it is encrypted with a passphrase', 'add --passphrase-file FILE naming the file that holds the passphrase');
    const { N, r, p } = header.scrypt!;
    return scryptSync(Buffer.from(secret.passphrase.normalize('NFC'), 'utf8'), salt, 32, { N, r, p, maxmem: 128 * N * r + (1 << 20) });
  }
  if (secret.recordKey === undefined) throw new ArchiveError(path, 'it is encrypted with the clinic\'s record key', 'add --decrypt-key FILE naming the record key file (from keygen)');
  return Buffer.from(hkdfSync('sha256', secret.recordKey, salt, Buffer.from(ARCHIVE_FORMAT, 'ascii'), 32));
}
