// FORMAT §17: a group's cross parity document rebuilds any one of its records, checked as a read record is.
import { describe, it, expect } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { canonicalJson } from '../../src/record/canonical-json.js';
import { decodeRecords, encodeDocument, type EncodeOptions, type EncodedDocument } from '../../src/codec/record-codec.js';
import { crossParityContent } from '../../src/codec/cross-parity.js';
import { decodeFrame } from '../../src/codec/frame.js';
import { handmadePatient, withLongHistory } from '../fixtures/handmade-clinic.js';
import { TEST_ENCRYPT_KEY, testPublicKey, testSigningKey } from './_test-key.js';

const base: EncodeOptions = { runId: 'R20261125', printedAt: '2026-11-25T16:00:00Z', signingKey: testSigningKey() };
const records = [handmadePatient(0), withLongHistory(handmadePatient(1), 4), handmadePatient(2), handmadePatient(3)];

function group(opts: EncodeOptions = base): { members: EncodedDocument[]; x: string[] } {
  const members = records.map((r) => encodeDocument('R', r.patient.id, canonicalJson(r), opts));
  const content = crossParityContent(opts.runId, members.map((d) => ({ patientId: d.patientId!, digest: d.digest, container: d.container })));
  return { members, x: encodeDocument('X', null, content, { runId: opts.runId, printedAt: opts.printedAt }).texts };
}

const without = (members: EncodedDocument[], lost: number[]): string[] => members.flatMap((d, i) => (lost.includes(i) ? [] : d.texts));

describe('cross parity (kind X)', () => {
  it('is as long as the longest record and parses as an X frame with no patient', () => {
    const { members, x } = group();
    const f = decodeFrame(x[0]!);
    expect([f.kind, f.patientId]).toEqual(['X', null]);
    expect(x.length).toBeLessThanOrEqual(Math.max(...members.map((d) => d.texts.length)) + 1);
  });

  for (const lost of [0, 1, 3]) {
    it(`rebuilds record ${lost + 1} of 4 with every one of its codes lost, signature checked`, () => {
      const { members, x } = group();
      const r = decodeRecords([...x, ...without(members, [lost])].reverse(), { publicKey: testPublicKey() });
      expect(r.failures).toEqual([]);
      expect(r.records.map((d) => d.canonical).sort()).toEqual(records.map((rec) => canonicalJson(rec)).sort());
      expect(r.records.filter((d) => d.rebuiltFrom).map((d) => [d.patientId, d.signature])).toEqual([[records[lost]!.patient.id, 'valid']]);
    });
  }

  it('rebuilds an encrypted record with the record key, and not without it', () => {
    const { members, x } = group({ ...base, encryptKey: TEST_ENCRYPT_KEY });
    const texts = [...x, ...without(members, [2])];
    const r = decodeRecords(texts, { publicKey: testPublicKey(), decryptKey: TEST_ENCRYPT_KEY });
    expect(r.records.find((d) => d.patientId === 'H0002')?.rebuiltFrom).toBeDefined();
    const noKey = decodeRecords(texts, { publicKey: testPublicKey() });
    // Without the key the other records are not restored, so none is XORed out: H0002 is not rebuilt.
    expect(noKey.records).toEqual([]);
    expect(noKey.failures.filter((f) => f.kind === 'R').map((f) => [f.patientId, f.error.code]).sort()).toEqual(['H0000', 'H0001', 'H0003'].map((id) => [id, 'E_DECRYPT']));
  });

  it('gives nothing back for two records of one group lost', () => {
    const { members, x } = group();
    const r = decodeRecords([...x, ...without(members, [0, 2])], { publicKey: testPublicKey() });
    expect(r.records.map((d) => d.patientId)).toEqual(['H0001', 'H0003']);
  });

  it('never yields a record from a parity that does not add up: a forged X is a digest mismatch', () => {
    const { members, x: _x } = group();
    const forged = members.map((d) => ({ patientId: d.patientId!, digest: d.digest, container: d.container }));
    const altered = Uint8Array.from(forged[1]!.container);
    altered[altered.length - 20]! ^= 0xff;
    forged[1] = { ...forged[1]!, container: altered };
    const x = encodeDocument('X', null, crossParityContent(base.runId, forged), { runId: base.runId, printedAt: base.printedAt }).texts;
    const r = decodeRecords([...x, ...without(members, [1])], { publicKey: testPublicKey() });
    expect(r.records.map((d) => d.patientId)).toEqual(['H0000', 'H0002', 'H0003']);
    expect(r.failures.map((f) => [f.patientId, f.error.code])).toEqual([['H0001', 'E_DIGEST_MISMATCH']]);
  });

  it('rebuilds a signed record that still fails another clinic\'s key', () => {
    const { members, x } = group();
    const other = generateKeyPairSync('ed25519').publicKey;
    const r = decodeRecords([...x, ...without(members, [1])], { publicKey: other });
    expect(r.records).toEqual([]);
    expect(r.failures.filter((f) => f.kind === 'R').map((f) => f.error.code)).toEqual(['E_BAD_SIGNATURE', 'E_BAD_SIGNATURE', 'E_BAD_SIGNATURE']);
  });

  it('an unsigned X rebuilds an unsigned record only under trust-unsigned', () => {
    const unsigned = { runId: base.runId, printedAt: base.printedAt };
    const { members, x } = group(unsigned);
    expect(decodeRecords([...x, ...without(members, [0])], {}).records).toEqual([]);
    const r = decodeRecords([...x, ...without(members, [0])], { trustUnsigned: true });
    expect(r.records.find((d) => d.rebuiltFrom)?.signature).toBe('absent');
    expect(r.records).toHaveLength(4);
  });
});
