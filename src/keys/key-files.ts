import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { KeyError } from '../codec/codec-errors.js';
import { fingerprintPublicKey, generateSigningKeys, parsePublicKey, parseSigningKey } from '../codec/keys.js';
import { OutputNotWritableError } from '../errors.js';
import { assertNothingAt } from '../_output-guard.js';

/** The files `keygen` writes into its folder. */
export const KEY_FILES = {
  signing: 'paperchart-signing.key',
  public: 'paperchart-signing.pub',
  record: 'paperchart-record.key',
} as const;

function readKeyFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new KeyError(`cannot read the ${what} ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * Reads the clinic's signing key. When its public half sits beside it
 * (`x.key` and `x.pub`, as keygen writes them), the two must match: a binder
 * signed with a stray key would print a fingerprint nobody can verify against.
 * @throws KeyError for a missing, unreadable or non-Ed25519 key file, or one its public key file does not match
 */
export function readSigningKeyFile(path: string): KeyObject {
  const pem = readKeyFile(path, 'signing key');
  let key: KeyObject;
  try {
    key = parseSigningKey(pem);
  } catch (e) {
    throw new KeyError(`${path}: ${(e as Error).message}`);
  }
  const publicPath = path.replace(/\.key$/, '.pub');
  if (publicPath !== path && existsSync(publicPath)) {
    const expected = fingerprintPublicKey(readPublicKeyFile(publicPath));
    const actual = fingerprintPublicKey(key);
    if (expected !== actual) {
      throw new KeyError(`${path} does not match its public key ${publicPath} (fingerprint ${actual.slice(0, 14)}…, expected ${expected.slice(0, 14)}…)`);
    }
  }
  return key;
}

/** @throws KeyError for a missing, unreadable or non-Ed25519 public key file */
export function readPublicKeyFile(path: string): KeyObject {
  const pem = readKeyFile(path, 'public key');
  try { return parsePublicKey(pem); } catch (e) { throw new KeyError(`${path}: ${(e as Error).message}`); }
}

/**
 * An encryption key file holds 64 hex digits (32 bytes, AES-256).
 * @throws KeyError for a missing file or a key of the wrong length
 */
export function readEncryptKeyFile(path: string): Uint8Array {
  const text = readKeyFile(path, 'encryption key').trim();
  if (!/^[0-9a-fA-F]*$/.test(text)) throw new KeyError(`${path}: encryption key is not hex digits`);
  if (text.length !== 64) throw new KeyError(`${path}: encryption key has ${text.length / 2} bytes, expected 32 (64 hex digits)`);
  return new Uint8Array(Buffer.from(text, 'hex'));
}

export interface WrittenKeys { signingKey: string; publicKey: string; recordKey: string; fingerprint: string }

/**
 * Makes a new signing key pair and a record encryption key in `dir`.
 * Refuses to overwrite: a lost key means binders that can no longer be verified.
 * @throws OutputExistsError, OutputNotWritableError
 */
export function writeKeyFiles(dir: string): WrittenKeys {
  const paths = { signingKey: join(dir, KEY_FILES.signing), publicKey: join(dir, KEY_FILES.public), recordKey: join(dir, KEY_FILES.record) };
  for (const p of Object.values(paths)) assertNothingAt(p, 'paperchart never overwrites a key');
  const keys = generateSigningKeys();
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(paths.signingKey, keys.privateKeyPem, { mode: 0o600, flag: 'wx' });
    writeFileSync(paths.publicKey, keys.publicKeyPem, { flag: 'wx' });
    writeFileSync(paths.recordKey, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    throw new OutputNotWritableError(dir, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
  return { ...paths, fingerprint: keys.fingerprint };
}
