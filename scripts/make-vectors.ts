// Writes docs/vectors/*.json: one record through every stage of FORMAT.md.
// Run: npx tsx scripts/make-vectors.ts
// Vectors are reviewed like spec changes and never regenerated to make a test pass.
import { writeFileSync, mkdirSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import { canonicalJson } from '../src/record/canonical-json.js';
import { encodeDocument, type EncodeOptions } from '../src/codec/record-codec.js';
import { fingerprintPublicKey } from '../src/codec/keys.js';
import { toHex } from '../src/codec/bytes.js';
import { handmadePatient, withLongHistory } from '../test/fixtures/handmade-clinic.js';
import { TEST_ENCRYPT_KEY, TEST_KEY_SEED_HEX, testSigningKey } from '../test/codec/_test-key.js';

const dir = new URL('../docs/vectors/', import.meta.url);
mkdirSync(dir, { recursive: true });
const key = testSigningKey();
const testKey = {
  warning: 'TEST-ONLY KEYS. They are published here; never sign or encrypt real records with them.',
  ed25519_seed_hex: TEST_KEY_SEED_HEX,
  private_pem: key.export({ format: 'pem', type: 'pkcs8' }).toString(),
  public_pem: createPublicKey(key).export({ format: 'pem', type: 'spki' }).toString(),
  fingerprint: fingerprintPublicKey(key),
  encrypt_key_hex: toHex(TEST_ENCRYPT_KEY),
};

function vector(name: string, description: string, record: ReturnType<typeof handmadePatient>, opts: EncodeOptions,
  texts?: (t: string[]) => string[], expect: Record<string, unknown> = { decode: true, reassemble: true }): void {
  const d = encodeDocument('R', record.patient.id, canonicalJson(record), opts);
  const out = {
    description, format: 'PC1', test_only_key: testKey,
    options: { run_id: opts.runId, printed_at: opts.printedAt, capacity: opts.capacity ?? 1451,
      signed: opts.signingKey !== undefined, encrypted: opts.encryptKey !== undefined },
    record, canonical: Buffer.from(d.content).toString('utf8'), digest: toHex(d.digest), compressed: toHex(d.compressed),
    signed: toHex(d.signed), signature: d.signature ? toHex(d.signature) : null, container: toHex(d.container),
    data_count: d.dataCount, parity_count: d.parityCount, shard_bytes: d.shardBytes,
    texts: texts ? texts(d.texts) : d.texts, expect,
  };
  writeFileSync(new URL(`${name}.json`, dir), `${JSON.stringify(out, null, 2)}\n`);
}

const base = { runId: 'R20261125', printedAt: '2026-11-25T16:00:00Z', signingKey: key };
const small = handmadePatient(0);
const long = withLongHistory(handmadePatient(2), 6);

vector('pc1-small-signed', 'VALID: a small record, signed, default capacity (QR 25-M)', small, base);
vector('pc1-nine-codes-signed', 'VALID: a longer record at capacity 400: 7 data + 2 parity codes', long, { ...base, capacity: 400 });
vector('pc1-small-encrypted', 'VALID: a small record, signed and encrypted with the test encryption key', small,
  { ...base, encryptKey: TEST_ENCRYPT_KEY });
vector('pc1-invalid-lost-beyond-parity', 'INVALID: codes 1, 4 and 9 lost, one more than parity can rebuild', long,
  { ...base, capacity: 400 }, (t) => t.filter((_, i) => ![0, 3, 8].includes(i)),
  { decode: true, reassemble: false, error: 'E_MISSING_CODES', missing: [1, 4, 9] });
vector('pc1-invalid-tampered', 'INVALID: code 2 has one payload character changed (its check fails) and code 3 is lost',
  small, base, (t) => t.map((x, i) => (i === 1 ? `${x.slice(0, 60)}${x[60] === 'A' ? 'B' : 'A'}${x.slice(61)}` : x)).filter((_, i) => i !== 2),
  { decode: false, reassemble: false, error: 'E_MISSING_CODES', rejected: 1 });
console.log('wrote docs/vectors');
