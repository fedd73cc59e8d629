// Writes docs/vectors/*.json: one record through every stage of FORMAT.md.
// Run: npx tsx scripts/make-vectors.ts
// Vectors are reviewed like spec changes and never regenerated to make a test pass.
import { writeFileSync, mkdirSync } from 'node:fs';
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { canonicalJson } from '../src/record/canonical-json.js';
import { encodeDocument, type EncodeOptions, type EncodedDocument } from '../src/codec/record-codec.js';
import { manifestJson, type Manifest } from '../src/codec/manifest.js';
import { encodeFrame } from '../src/codec/frame.js';
import { encodeParity, parityPlan } from '../src/codec/erasure.js';
import { fingerprintPublicKey } from '../src/codec/keys.js';
import { toHex } from '../src/codec/bytes.js';
import { crossParityContent } from '../src/codec/cross-parity.js';
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

function vector(name: string, description: string, record: ReturnType<typeof handmadePatient> | Manifest, opts: EncodeOptions,
  texts?: (t: string[], d: EncodedDocument) => string[], expect: Record<string, unknown> = { decode: true, reassemble: true }): void {
  const kind = 'patient' in record ? 'R' : 'M';
  const d = 'patient' in record ? encodeDocument('R', record.patient.id, canonicalJson(record), opts)
    : encodeDocument('M', null, manifestJson(record), opts);
  const out = {
    description, format: 'PC1', kind, test_only_key: testKey,
    options: { run_id: opts.runId, printed_at: opts.printedAt, capacity: opts.capacity ?? 1451,
      signed: opts.signingKey !== undefined, encrypted: opts.encryptKey !== undefined },
    record, canonical: Buffer.from(d.content).toString('utf8'), digest: toHex(d.digest), compressed: toHex(d.compressed),
    signed: toHex(d.signed), signature: d.signature ? toHex(d.signature) : null, container: toHex(d.container),
    data_count: d.dataCount, parity_count: d.parityCount, shard_bytes: d.shardBytes,
    texts: texts ? texts(d.texts, d) : d.texts, expect,
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

/** The document's frames again, from `container` in place of its own (same length; one parity group). */
function reframe(d: EncodedDocument, runId: string, container: Uint8Array): string[] {
  const k = d.dataCount, len = d.shardBytes, plan = parityPlan(k);
  if (plan.groups !== 1 || container.length !== d.container.length) throw new Error('reframe: one group, same length only');
  const padded = new Uint8Array(k * len);
  padded.set(container);
  const shards: Uint8Array[] = Array.from({ length: k }, (_, j) => padded.slice(j * len, (j + 1) * len));
  shards.push(...encodeParity(shards, plan.parityPerGroup));
  const digestPrefix = toHex(d.digest.subarray(0, 8)).toUpperCase();
  return shards.map((shard, i) => encodeFrame({ kind: d.kind, runId, patientId: d.patientId, digestPrefix, index: i + 1, total: k + plan.parity, dataCount: k, shard }));
}
// A second fixed key, as public as the first: signatures made with the test key do not verify with it.
const otherKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'),
  createHash('sha256').update('paperchart PC1 TEST-ONLY other signing key').digest()]), format: 'der', type: 'pkcs8' });

vector('pc1-manifest-signed', 'VALID: a run manifest (kind M, FORMAT §11) of two patients, signed', {
  runId: 'R20261125', printedAt: '2026-11-25T16:00:00Z', clinic: { clinic_name: 'Test Clinic', timezone: 'UTC' },
  patients: [
    { id: 'H0000', digest: createHash('sha256').update(canonicalJson(small)).digest('hex'), codes: 3, pages: [5] },
    { id: 'H0002', digest: createHash('sha256').update(canonicalJson(long)).digest('hex'), codes: 9, pages: [9, 10] },
  ] }, base);
vector('pc1-small-unsigned', 'UNSIGNED: a small record without signature; refused unless unsigned paper is accepted (FORMAT §6.2)',
  small, { runId: base.runId, printedAt: base.printedAt }, undefined, { decode: true, reassemble: false, error: 'E_UNSIGNED' });
vector('pc1-invalid-bad-signature', 'INVALID: signed with the test key, checked with another key (expect.verify_with_public_pem)', small, base,
  undefined, { decode: true, reassemble: false, error: 'E_BAD_SIGNATURE',
    verify_with_public_pem: createPublicKey(otherKey).export({ format: 'pem', type: 'spki' }).toString() });
vector('pc1-invalid-digest-mismatch', 'INVALID: one byte of the compressed body changed before framing (check values and signature intact)',
  small, base, (_t, d) => {
    const c = Uint8Array.from(d.container);
    const at = c.length - Math.floor(d.compressed.length / 2);
    c[at] = c[at]! ^ 0x01;
    return reframe(d, base.runId, c);
  }, { decode: true, reassemble: false, error: 'E_DIGEST_MISMATCH' });
vector('pc1-invalid-decrypt', 'INVALID: encrypted with the test encryption key, decrypted with another (expect.decrypt_with_key_hex)', small,
  { ...base, encryptKey: TEST_ENCRYPT_KEY }, undefined, { decode: true, reassemble: false, error: 'E_DECRYPT',
    decrypt_with_key_hex: createHash('sha256').update('paperchart PC1 TEST-ONLY wrong encryption key').digest('hex') });
vector('pc1-two-groups', 'VALID: capacity 72, over 128 data codes, so two interleaved parity groups (FORMAT §7.3); data codes 1-4 lost, two in each group',
  withLongHistory(handmadePatient(2), 12), { ...base, capacity: 72, maxCodes: 10_000 }, (t) => t.slice(4),
  { decode: true, reassemble: true, missing: [1, 2, 3, 4] });
// FORMAT §5.4 id order: U+FF21 (fullwidth A) before U+20000 (a CJK Extension B character) by code point, after it by UTF-16 code units.
vector('pc1-manifest-id-order', 'VALID: a run manifest whose patient ids sort differently by code point (FORMAT §5.4, the order used) and by UTF-16 code units', {
  runId: 'R20261125', printedAt: '2026-11-25T16:00:00Z', clinic: {},
  patients: [
    { id: 'H\u{20000}', digest: createHash('sha256').update('H\u{20000}').digest('hex'), codes: 3, pages: [7] },
    { id: 'H\uFF21', digest: createHash('sha256').update('H\uFF21').digest('hex'), codes: 3, pages: [5] },
    { id: 'H0001', digest: createHash('sha256').update('H0001').digest('hex'), codes: 3, pages: [3] },
  ] }, base);

/**
 * A document whose content is given as bytes, not made from a record: content a decoder must refuse after its digest
 * matched (FORMAT §9.2 steps 6-7). `content_hex` holds the bytes; `canonical` is null when they are not UTF-8.
 */
function contentVector(name: string, description: string, kind: 'R' | 'M', patientId: string | null, content: Uint8Array,
  expect: Record<string, unknown>): void {
  const d = encodeDocument(kind, patientId, content, base);
  let canonical: string | null = null;
  try { canonical = new TextDecoder('utf-8', { fatal: true }).decode(content); } catch { /* not UTF-8: the point of the vector */ }
  const out = {
    description, format: 'PC1', kind, test_only_key: testKey,
    options: { run_id: base.runId, printed_at: base.printedAt, capacity: 1451, signed: true, encrypted: false },
    record: null, patient_id: patientId, content_hex: toHex(content), canonical, digest: toHex(d.digest), compressed: toHex(d.compressed),
    signed: toHex(d.signed), signature: d.signature ? toHex(d.signature) : null, container: toHex(d.container),
    data_count: d.dataCount, parity_count: d.parityCount, shard_bytes: d.shardBytes, texts: d.texts, expect,
  };
  writeFileSync(new URL(`${name}.json`, dir), `${JSON.stringify(out, null, 2)}\n`);
}
const refused = (error: string): Record<string, unknown> => ({ decode: true, reassemble: false, error });
const smallBytes = Buffer.from(canonicalJson(small), 'utf8');
const notUtf8 = Uint8Array.from(smallBytes);
notUtf8[smallBytes.indexOf('Main St')] = 0xff; // a byte no UTF-8 text holds, inside a string
contentVector('pc1-invalid-not-utf8', 'INVALID: the content (its digest matches) is not UTF-8: one byte of a string is 0xFF (FORMAT §9.3: E_DIGEST_MISMATCH)',
  'R', small.patient.id, notUtf8, refused('E_DIGEST_MISMATCH'));
contentVector('pc1-invalid-not-canonical', 'INVALID: the content (its digest matches) is JSON with its keys in the record\'s own order, not canonical (FORMAT §9.3: E_CORRUPT_FRAME)',
  'R', small.patient.id, Buffer.from(JSON.stringify(small), 'utf8'), refused('E_CORRUPT_FRAME'));
contentVector('pc1-invalid-not-json', 'INVALID: the content (its digest matches) is not JSON (FORMAT §9.3: E_CORRUPT_FRAME)',
  'R', small.patient.id, Buffer.from(canonicalJson(small).slice(0, -1), 'utf8'), refused('E_CORRUPT_FRAME'));
const manifestOf = (changes: Record<string, string>): Uint8Array => Buffer.from(canonicalJson({ clinic: {}, format: 'PC1-manifest', patients: [],
  printed_at: base.printedAt, run: base.runId, ...changes }), 'utf8');
contentVector('pc1-invalid-manifest-format', 'INVALID: a manifest whose format is not "PC1-manifest" (FORMAT §9.2 step 7: E_CORRUPT_FRAME)',
  'M', null, manifestOf({ format: 'paperchart-export' }), refused('E_CORRUPT_FRAME'));
contentVector('pc1-invalid-manifest-run', 'INVALID: a manifest whose run differs from its codes\' run (FORMAT §11: E_CORRUPT_FRAME)',
  'M', null, manifestOf({ run: 'R20261118' }), refused('E_CORRUPT_FRAME'));
contentVector('pc1-invalid-manifest-printed-at', 'INVALID: a manifest whose printed_at differs from its container\'s print time (FORMAT §11: E_CORRUPT_FRAME)',
  'M', null, manifestOf({ printed_at: '2026-11-25T16:00:01Z' }), refused('E_CORRUPT_FRAME'));

// FORMAT §17: a group of three records and its cross parity document (kind X); every code of the second record is
// lost (its sheet), and it comes back as X XOR the other two containers. `texts`: X's codes, then the other two's.
{
  const members = [handmadePatient(0), handmadePatient(1), handmadePatient(3)];
  const encoded = members.map((r) => encodeDocument('R', r.patient.id, canonicalJson(r), base));
  const content = crossParityContent(base.runId, encoded.map((d) => ({ patientId: d.patientId!, digest: d.digest, container: d.container })));
  const x = encodeDocument('X', null, content, { runId: base.runId, printedAt: base.printedAt });
  const out = {
    description: 'VALID: cross parity (kind X, FORMAT §17) of three signed records; every code of the second is lost and it is rebuilt from X and the other two',
    format: 'PC1', kind: 'X', test_only_key: testKey,
    options: { run_id: base.runId, printed_at: base.printedAt, capacity: 1451, signed: false, encrypted: false },
    members: members.map((record, i) => ({ record, canonical: canonicalJson(record), container: toHex(encoded[i]!.container), texts: encoded[i]!.texts })),
    record: null, patient_id: null, content_hex: toHex(content), canonical: null, digest: toHex(x.digest), compressed: toHex(x.compressed),
    signed: toHex(x.signed), signature: null, container: toHex(x.container), data_count: x.dataCount, parity_count: x.parityCount, shard_bytes: x.shardBytes,
    texts: [...x.texts, ...encoded[0]!.texts, ...encoded[2]!.texts],
    expect: { decode: true, reassemble: true, rebuilt: [members[1]!.patient.id] },
  };
  writeFileSync(new URL('pc1-cross-parity.json', dir), `${JSON.stringify(out, null, 2)}\n`);
}
console.log('wrote docs/vectors');
