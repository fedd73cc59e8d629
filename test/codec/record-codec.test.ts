import { describe, it, expect } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { generateSampleClinic } from '../../src/sample/sample-clinic.js';
import { canonicalJson } from '../../src/record/canonical-json.js';
import type { PatientRecord } from '../../src/record/record.js';
import {
  encodeRecord, encodeDocument, decodeRecord, decodeRecords, DEFAULT_MAX_CODES, type DecodeOptions, type EncodeOptions,
} from '../../src/codec/record-codec.js';
import { decodeFrame, encodeFrame, DEFAULT_CAPACITY } from '../../src/codec/frame.js';
import {
  BadSignatureError, CorruptFrameError, DecryptError, DigestMismatchError, InsufficientFramesError,
  RecordTooLargeError, UnknownFormatError, UnsignedRecordError, KeyError,
} from '../../src/errors.js';
import { MANIFEST_FORMAT, encodeManifest, manifestContent, manifestJson, parseManifest } from '../../src/codec/manifest.js';
import { fingerprintPublicKey, generateSigningKeys, parsePublicKey, parseSigningKey } from '../../src/codec/keys.js';
import { handmadePatient, withLongHistory } from '../fixtures/handmade-clinic.js';
import { TEST_ENCRYPT_KEY, testPublicKey, testSigningKey } from './_test-key.js';
import { seeded } from './_seeded.js';

const AS_OF = '2026-11-25T16:00:00Z';
const sign: EncodeOptions = { runId: 'R20261125', printedAt: AS_OF, signingKey: testSigningKey() };
const verify: DecodeOptions = { publicKey: testPublicKey() };
const clinic: PatientRecord[] = [...generateSampleClinic({ patients: 25, seed: 2026, asOf: AS_OF })];
const QR_ALNUM = /^[0-9A-Z $%*+\-./:]+$/;

function without<T>(xs: readonly T[], drop: readonly number[]): T[] {
  return xs.filter((_, i) => !drop.includes(i));
}

function shuffle<T>(xs: readonly T[], seed: number): T[] {
  const r = seeded(seed), out = [...xs];
  for (let i = out.length - 1; i > 0; i--) { const j = r.int(i + 1); [out[i], out[j]] = [out[j]!, out[i]!]; }
  return out;
}

describe('encodeRecord / decodeRecord', () => {
  it('round-trips the sample clinic exactly, in QR alphanumeric text within capacity', () => {
    for (const rec of clinic) {
      const texts = encodeRecord(rec, sign);
      for (const t of texts) { expect(t).toMatch(QR_ALNUM); expect(t.length).toBeLessThanOrEqual(DEFAULT_CAPACITY); }
      expect(canonicalJson(decodeRecord(texts, verify))).toBe(canonicalJson(rec));
    }
  });

  it('gives the same texts for the same record, run, time and key', () => {
    const rec = clinic[3]!;
    expect(encodeRecord(rec, { ...sign, encryptKey: TEST_ENCRYPT_KEY })).toEqual(encodeRecord(rec, { ...sign, encryptKey: TEST_ENCRYPT_KEY }));
  });

  it('restores with any one code lost, for every patient', () => {
    for (const rec of clinic.slice(0, 8)) {
      const texts = encodeRecord(rec, sign);
      for (let i = 0; i < texts.length; i++) expect(decodeRecord(without(texts, [i]), verify)).toEqual(rec);
    }
  });

  it('restores a patient with eight or more codes with any two codes lost', () => {
    const rec = withLongHistory(handmadePatient(2), 40);
    const texts = encodeRecord(rec, { ...sign, capacity: 400 });
    expect(texts.length).toBeGreaterThanOrEqual(8);
    for (let a = 0; a < texts.length; a++) {
      for (let b = a + 1; b < texts.length; b++) expect(decodeRecord(without(texts, [a, b]), verify)).toEqual(rec);
    }
    const e = (() => { try { decodeRecord(without(texts, [0, 3, 5]), verify); } catch (x) { return x; } })();
    expect(e).toBeInstanceOf(InsufficientFramesError);
    expect((e as InsufficientFramesError).missing).toEqual([1, 4, 6]);
  });

  it('restores a record in several erasure groups, any two codes lost per group', () => {
    const rec = withLongHistory(handmadePatient(4), 400);
    const doc = encodeDocument('R', rec.patient.id, canonicalJson(rec), { ...sign, capacity: 120 });
    expect(doc.dataCount).toBeGreaterThan(128);
    expect(doc.parityCount).toBe(4);
    const r = seeded(3);
    for (let trial = 0; trial < 10; trial++) {
      const a = r.int(doc.texts.length), b = r.int(doc.texts.length);
      expect(decodeRecord(without(doc.texts, [a, b]), verify)).toEqual(rec);
    }
  });

  it('sorts out codes of many patients and two runs, shuffled and duplicated', () => {
    const runA = clinic.slice(0, 5).flatMap((rec) => encodeRecord(rec, sign));
    const changed = { ...clinic[0]!, patient: { ...clinic[0]!.patient, phone: '555-0000' } };
    const runB = [changed, clinic[1]!].flatMap((rec) => encodeRecord(rec, { ...sign, runId: 'R20261201', printedAt: '2026-12-01T08:00:00Z' }));
    const { records, failures, rejected } = decodeRecords(shuffle([...runA, ...runB, ...runA.slice(0, 4), 'hello'], 11), verify);
    expect(failures).toEqual([]);
    expect(rejected.map((r) => r.error)).toEqual([expect.any(UnknownFormatError)]);
    expect(records.map((r) => `${r.runId} ${r.patientId}`)).toEqual([
      ...clinic.slice(0, 5).map((c) => `R20261125 ${c.patient.id}`).sort(),
      ...[clinic[0]!, clinic[1]!].map((c) => `R20261201 ${c.patient.id}`).sort(),
    ]);
    const b0 = records.find((r) => r.runId === 'R20261201' && r.patientId === clinic[0]!.patient.id)!;
    expect(b0.record).toEqual(changed);
    expect(b0.printedAt).toBe('2026-12-01T08:00:00Z');
  });

  it('drops a code with one character altered, and refuses the record when no parity is left', () => {
    const rec = clinic[5]!;
    const texts = encodeRecord(rec, sign);
    const r = seeded(5);
    for (let trial = 0; trial < 50; trial++) {
      const i = r.int(texts.length), p = r.int(texts[i]!.length);
      const t = texts[i]!;
      const c = t[p] === 'A' ? 'B' : 'A';
      const bad = t.slice(0, p) + c + t.slice(p + 1);
      expect(() => decodeFrame(bad)).toThrow(/./);
      const tampered = texts.map((x, j) => (j === i ? bad : x));
      expect(decodeRecord(tampered, verify)).toEqual(rec); // the altered code is ignored, parity rebuilds it
      const f0 = decodeFrame(texts[0]!);
      const others = Array.from({ length: f0.total - f0.dataCount }, (_, d) => (i + 1 + d) % texts.length);
      expect(() => decodeRecord(without(tampered, others), verify)).toThrow(/missing|not a paperchart/);
    }
  });

  it('rejects every single-character change of a code', () => {
    const texts = encodeRecord(clinic[4]!, { ...sign, capacity: 300 });
    const t = texts[1]!;
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
    let tried = 0;
    for (let p = 0; p < t.length; p++) {
      for (const c of alphabet) {
        if (c === t[p]) continue;
        tried++;
        expect(() => decodeFrame(t.slice(0, p) + c + t.slice(p + 1))).toThrow(/not a paperchart|damaged/);
      }
    }
    expect(tried).toBe(t.length * 44);
  });

  it('refuses a forged code whose check value was recomputed', () => {
    const rec = clinic[6]!;
    const texts = encodeRecord(rec, sign);
    const f = decodeFrame(texts[0]!);
    const shard = f.shard.slice(); shard[shard.length - 1]! ^= 1; shard[40]! ^= 0x10;
    const forged = [encodeFrame({ ...f, shard }), ...texts.slice(1)];
    expect(() => decodeRecord(forged, verify)).toThrow(DigestMismatchError);
  });

  it('refuses codes relabelled to another run (the signature covers the run)', () => {
    const texts = encodeRecord(clinic[7]!, sign).map((t) => encodeFrame({ ...decodeFrame(t), runId: 'FORGED' }));
    expect(() => decodeRecord(texts, verify)).toThrow(BadSignatureError);
  });

  it('refuses codes signed with another key, and unsigned codes unless trusted', () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    const texts = encodeRecord(clinic[8]!, { ...sign, signingKey: other });
    expect(() => decodeRecord(texts, verify)).toThrow(BadSignatureError);
    const unsigned = encodeRecord(clinic[8]!, { runId: 'R1', printedAt: AS_OF });
    expect(() => decodeRecord(unsigned, verify)).toThrow(UnsignedRecordError);
    expect(() => decodeRecord(texts, {})).toThrow(UnsignedRecordError);
    expect(decodeRecord(unsigned, { trustUnsigned: true })).toEqual(clinic[8]);
    expect(decodeRecords(texts, { trustUnsigned: true }).records[0]!.signature).toBe('unverified');
  });

  it('encrypts the record and refuses a wrong or missing key', () => {
    const rec = clinic[9]!;
    const texts = encodeRecord(rec, { ...sign, encryptKey: TEST_ENCRYPT_KEY });
    const plain = encodeRecord(rec, sign);
    expect(texts.join('')).not.toBe(plain.join(''));
    expect(decodeRecord(texts, { ...verify, decryptKey: TEST_ENCRYPT_KEY })).toEqual(rec);
    expect(() => decodeRecord(texts, verify)).toThrow(DecryptError);
    expect(() => decodeRecord(texts, { ...verify, decryptKey: new Uint8Array(32) })).toThrow(DecryptError);
    expect(() => encodeRecord(rec, { ...sign, encryptKey: new Uint8Array(16) })).toThrow(KeyError);
  });

  it('refuses a record needing more codes than the cap, naming the patient', () => {
    const rec = withLongHistory(handmadePatient(1), 200);
    expect(() => encodeRecord(rec, { ...sign, capacity: 200, maxCodes: 10 })).toThrow(RecordTooLargeError);
    expect(() => encodeRecord(rec, { ...sign, capacity: 200, maxCodes: 10 })).toThrow(/patient H0001/);
  });

  it('carries patient ids that are arbitrary text', () => {
    const base = handmadePatient(3);
    const rec = { ...base, patient: { ...base.patient, id: 'ñ:/ 患者 #1\n' } };
    const texts = encodeRecord(rec, sign);
    for (const t of texts) expect(t).toMatch(QR_ALNUM);
    expect(decodeRecord(texts, verify)).toEqual(rec);
  });

  it('rejects texts of other formats and damaged headers', () => {
    expect(() => decodeFrame('HC1:ABC')).toThrow(UnknownFormatError);
    expect(() => decodeFrame('PC1:X:1')).toThrow(CorruptFrameError);
  });
});

describe('manifest', () => {
  it('round-trips a signed manifest with the clinic facts', () => {
    const m = { runId: 'R20261125', printedAt: AS_OF, clinic: { clinic_name: 'Cedar Hill Family Health', timezone: 'America/Los_Angeles' }, patients: clinic.slice(0, 30).map((r, i) => ({
      id: r.patient.id, digest: encodeDocument('R', r.patient.id, canonicalJson(r), sign).digest.reduce((s, b) => s + b.toString(16).padStart(2, '0'), ''),
      codes: 2, pages: [i + 3] })) };
    const sorted = [...m.patients].sort((a, b) => (a.id < b.id ? -1 : 1));
    const doc = encodeManifest(m, sorted, { signingKey: testSigningKey() });
    const { manifests, records } = decodeRecords(shuffle(doc.texts, 2), verify);
    expect(records).toEqual([]);
    expect(parseManifest(manifests[0]!)).toEqual({ ...m, patients: sorted });
  });

  it('carries a clinic of 30,000 patients in more codes than a record may take, and reads back', () => {
    const random = seeded(30_000);
    let page = 9;
    const patients = Array.from({ length: 30_000 }, (_, i) => {
      page += 2 + random.int(4);
      return { id: `P${String(i).padStart(6, '0')}`, digest: Buffer.from(random.bytes(32)).toString('hex'), codes: 3 + random.int(4), pages: [page] };
    });
    const m = { runId: 'R20261125', printedAt: AS_OF, clinic: { clinic_name: 'A clinic group' }, patients };
    const doc = encodeManifest(m, patients, { signingKey: testSigningKey() });
    expect(doc.texts.length).toBeGreaterThan(DEFAULT_MAX_CODES);
    expect(() => encodeManifest(m, patients, { maxCodes: DEFAULT_MAX_CODES })).toThrow(RecordTooLargeError);
    const { manifests } = decodeRecords(shuffle(doc.texts, 3), verify);
    expect(parseManifest(manifests[0]!)).toEqual(m);
  }, 60_000);

  it('writes the same canonical JSON as the whole manifest given to canonicalJson, from entries taken one at a time', () => {
    // Clinic facts that hold the list's own key, quotes and other scripts must not move where the list goes.
    const clinic = { clinic_name: 'Clinique "patients":[ Été', note: '"patients":[]', zz: 'مرحبا 诊所' };
    const patients = [
      { id: 'P-1', digest: 'a'.repeat(64), codes: 3, pages: [5, 6] },
      { id: 'P-2"x', digest: 'b'.repeat(64), codes: 1, pages: [9] },
      { id: 'Ü-3', digest: 'c'.repeat(64), codes: 2, pages: [] },
    ];
    const head = { runId: 'R20261125', printedAt: AS_OF, clinic };
    const whole = canonicalJson({ format: MANIFEST_FORMAT, run: head.runId, printed_at: head.printedAt, patients, clinic });
    function* oneAtATime(): Generator<(typeof patients)[number]> { yield* patients; }
    expect(Buffer.from(manifestContent(head, oneAtATime())).toString('utf8')).toBe(whole);
    expect(manifestJson({ ...head, patients: [...patients].reverse() })).toBe(whole);
    expect(Buffer.from(manifestContent(head, [])).toString('utf8'))
      .toBe(canonicalJson({ format: MANIFEST_FORMAT, run: head.runId, printed_at: head.printedAt, patients: [], clinic }));
    expect(() => manifestContent(head, [...patients].reverse())).toThrow(RangeError);
    expect(() => manifestContent(head, [patients[0]!, patients[0]!])).toThrow(/ascending patient ids/);
  });
});

describe('keys', () => {
  it('makes a PEM key pair whose fingerprint is 16 groups of 4 hex digits', () => {
    const k = generateSigningKeys();
    expect(k.fingerprint).toMatch(/^[0-9A-F]{4}( [0-9A-F]{4}){15}$/);
    expect(fingerprintPublicKey(parsePublicKey(k.publicKeyPem))).toBe(k.fingerprint);
    expect(fingerprintPublicKey(parseSigningKey(k.privateKeyPem))).toBe(k.fingerprint);
    expect(() => parseSigningKey('not a key')).toThrow(KeyError);
  });
});
