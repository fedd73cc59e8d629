// Clinic signing keys (FORMAT §6). Ed25519 via node:crypto.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { KeyError } from '../errors.js';

export interface SigningKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
  /** fingerprintPublicKey(public key), for the binder cover. */
  fingerprint: string;
}

/** Makes a new Ed25519 key pair as PKCS#8 / SPKI PEM. Uses the system's randomness (the only codec function that does). */
export function generateSigningKeys(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    fingerprint: fingerprintPublicKey(publicKey),
  };
}

/** The 32 raw bytes of an Ed25519 public key (or of the public half of a private key). @throws KeyError */
export function rawPublicKey(key: KeyObject): Uint8Array {
  if (key.asymmetricKeyType !== 'ed25519') throw new KeyError(`key type ${key.asymmetricKeyType ?? key.type}, expected an Ed25519 key`);
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const x = pub.export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new KeyError('Ed25519 public key has no x coordinate');
  return new Uint8Array(Buffer.from(x, 'base64url'));
}

/**
 * FORMAT §6.3: SHA-256 of the raw 32-byte public key, upper-case hex in 16
 * groups of 4 separated by spaces.
 * @throws KeyError for a key that is not Ed25519
 */
export function fingerprintPublicKey(key: KeyObject): string {
  const h = createHash('sha256').update(rawPublicKey(key)).digest('hex').toUpperCase();
  return h.match(/.{4}/g)!.join(' ');
}

/** Reads a private signing key from PEM text. @throws KeyError */
export function parseSigningKey(pem: string): KeyObject {
  let k: KeyObject;
  try { k = createPrivateKey(pem); } catch (e) { throw new KeyError(`cannot read the signing key (${(e as Error).message})`); }
  if (k.asymmetricKeyType !== 'ed25519') throw new KeyError(`signing key type ${k.asymmetricKeyType}, expected ed25519`);
  return k;
}

/** Reads a public key from PEM text. @throws KeyError */
export function parsePublicKey(pem: string): KeyObject {
  let k: KeyObject;
  try { k = createPublicKey(pem); } catch (e) { throw new KeyError(`cannot read the public key (${(e as Error).message})`); }
  if (k.asymmetricKeyType !== 'ed25519') throw new KeyError(`public key type ${k.asymmetricKeyType}, expected ed25519`);
  return k;
}
