// A FIXED Ed25519 key for tests and vectors only. It is public: never sign real records with it.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

export const TEST_KEY_SEED_HEX = createHash('sha256').update('paperchart PC1 TEST-ONLY signing key').digest('hex');
export const TEST_ENCRYPT_KEY = new Uint8Array(createHash('sha256').update('paperchart PC1 TEST-ONLY encryption key').digest());

export function testSigningKey(): KeyObject {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(TEST_KEY_SEED_HEX, 'hex')]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

export function testPublicKey(): KeyObject {
  return createPublicKey(testSigningKey());
}
