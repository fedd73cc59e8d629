import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { KeyError } from '../errors.js';
import { fingerprintPublicKey, generateSigningKeys, parsePublicKey, parseSigningKey } from '../codec/keys.js';
import { KeysNotWrittenError, OutputExistsError, fileProblem } from '../errors.js';
import { assertNothingAt } from '../_output-guard.js';
import { commitFile, removeOnInterrupt, removeStaleTemporaryFiles, temporaryPathBeside } from '../_temporary-file.js';

/** The files `keygen` writes into its folder. */
export const KEY_FILES = {
  signing: 'paperchart-signing.key',
  public: 'paperchart-signing.pub',
  record: 'paperchart-record.key',
} as const;

function readKeyFile(path: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new KeyError(`cannot read the ${what} ${path} (${fileProblem(e)})`);
  }
  // Older versions could leave an empty key when the disk was full or keygen was killed.
  if (text.trim() === '') throw new KeyError(`${path}: cannot read the ${what} (the file is empty; an interrupted keygen or a full disk leaves one)`);
  return text;
}

/**
 * Reads PEM text with `parse`, naming the file and its fault in our words:
 * cut short, not PEM at all, or damaged (OpenSSL's own text says none of it).
 * @throws KeyError
 */
function parsePemKeyFile(path: string, pem: string, what: string, parse: (pem: string) => KeyObject): KeyObject {
  if (!/-----BEGIN [A-Z0-9 ]+-----/.test(pem)) throw new KeyError(`${path}: cannot read the ${what} (not PEM text: no -----BEGIN line)`);
  if (!/-----END [A-Z0-9 ]+-----/.test(pem)) throw new KeyError(`${path}: cannot read the ${what} (the file is cut short: no -----END line)`);
  try {
    return parse(pem);
  } catch (e) {
    if (!(e instanceof KeyError) || !e.message.startsWith('cannot read')) throw new KeyError(`${path}: ${(e as Error).message}`);
    throw new KeyError(`${path}: cannot read the ${what} (its PEM text is damaged)`);
  }
}

/**
 * Reads the clinic's signing key. When its public half sits beside it
 * (`x.key` and `x.pub`, as keygen writes them), the two must match: a binder
 * signed with a stray key would print a fingerprint nobody can verify against.
 * @throws KeyError for a missing, unreadable or non-Ed25519 key file, or one its public key file does not match
 */
export function readSigningKeyFile(path: string): KeyObject {
  const key = parsePemKeyFile(path, readKeyFile(path, 'signing key'), 'signing key', parseSigningKey);
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
  return parsePemKeyFile(path, readKeyFile(path, 'public key'), 'public key', parsePublicKey);
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
 * Makes a new signing key pair and a record encryption key in `dir`: all
 * three files or none. Each is written under a temporary name, forced to disk,
 * then linked to its own name, which never replaces a file; a run that fails
 * part way (a full disk) removes what it wrote, so the next run starts clean.
 * Refuses to overwrite: a lost key means binders that can no longer be verified.
 * @throws OutputExistsError for a key already there or a file in the folder's place, KeysNotWrittenError
 */
export function writeKeyFiles(dir: string): WrittenKeys {
  const paths = { signingKey: join(dir, KEY_FILES.signing), publicKey: join(dir, KEY_FILES.public), recordKey: join(dir, KEY_FILES.record) };
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new OutputExistsError(dir, 'it is a file, and keygen --out names a folder', false);
  for (const p of Object.values(paths)) {
    assertNothingAt(p, existsSync(p) && statSync(p).size === 0
      ? 'it is empty (an interrupted keygen left it); paperchart never overwrites a key'
      : 'paperchart never overwrites a key');
  }
  const keys = generateSigningKeys();
  const files = [
    { path: paths.signingKey, text: keys.privateKeyPem, mode: 0o600 },
    { path: paths.publicKey, text: keys.publicKeyPem, mode: 0o644 },
    { path: paths.recordKey, text: `${randomBytes(32).toString('hex')}\n`, mode: 0o600 },
  ].map((f) => ({ ...f, temporary: temporaryPathBeside(f.path), forget: (): void => undefined }));
  const committed: string[] = [];
  try {
    mkdirSync(dir, { recursive: true });
    for (const f of files) removeStaleTemporaryFiles(f.path);
    for (const f of files) {
      f.forget = removeOnInterrupt(f.temporary);
      writeFileSync(f.temporary, f.text, { mode: f.mode, flag: 'wx' });
    }
    for (const f of files) {
      commitFile(f.temporary, f.path, { replace: false });
      committed.push(f.path);
    }
  } catch (e) {
    for (const path of committed) rmSync(path, { force: true });
    for (const f of files) {
      rmSync(f.temporary, { force: true });
      f.forget();
    }
    const code = (e as NodeJS.ErrnoException).code;
    // Another keygen got there between the check and the link: its keys stand.
    if (code === 'EEXIST') throw new OutputExistsError(files[committed.length]!.path, 'paperchart never overwrites a key', false);
    throw new KeysNotWrittenError(dir, code === 'ENOSPC' ? 'ENOSPC: the disk is full' : code ?? (e as Error).message);
  }
  return { ...paths, fingerprint: keys.fingerprint };
}
