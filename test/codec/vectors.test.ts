// Walks docs/vectors: every intermediate form must reproduce byte for byte.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { canonicalJson } from '../../src/record/canonical-json.js';
import { encodeDocument, decodeRecords } from '../../src/codec/record-codec.js';
import { fingerprintPublicKey } from '../../src/codec/keys.js';
import { fromHex, toHex } from '../../src/codec/bytes.js';
import { parseManifest } from '../../src/codec/manifest.js';
import { crossParityContent } from '../../src/codec/cross-parity.js';
import type { PatientRecord } from '../../src/record/record.js';

const dir = new URL('../../docs/vectors/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

interface Vector {
  description: string;
  test_only_key: { private_pem: string; public_pem: string; fingerprint: string; encrypt_key_hex: string };
  options: { run_id: string; printed_at: string; capacity: number; signed: boolean; encrypted: boolean };
  record: PatientRecord; canonical: string; digest: string; compressed: string; signed: string;
  signature: string | null; container: string; data_count: number; parity_count: number; texts: string[];
  kind?: 'R' | 'M' | 'X';
  /** kind X (FORMAT §17): the group's records, each with its container and codes. */
  members?: { record: PatientRecord; canonical: string; container: string; texts: string[] }[];
  /** Content given as bytes (contentVector in scripts/make-vectors.ts): `record` is null, `canonical` null unless UTF-8. */
  content_hex?: string; patient_id?: string | null;
  expect: { reassemble: boolean; error?: string; missing?: number[]; rejected?: number; verify_with_public_pem?: string; decrypt_with_key_hex?: string; rebuilt?: string[] };
}

/** FORMAT §17: a cross parity vector, its members encoded again, its X document from their containers, and the lost member rebuilt. */
function crossParityVector(file: string, v: Vector): void {
  const key = createPrivateKey(v.test_only_key.private_pem);
  const pub = createPublicKey(v.test_only_key.public_pem);
  const opts = { runId: v.options.run_id, printedAt: v.options.printed_at, capacity: v.options.capacity };
  it(`${file}: the members, the parity content and the X codes reproduce byte for byte`, () => {
    const members = v.members!.map((m) => encodeDocument('R', m.record.patient.id, canonicalJson(m.record), { ...opts, signingKey: key }));
    members.forEach((d, i) => {
      expect(toHex(d.container)).toBe(v.members![i]!.container);
      expect(d.texts).toEqual(v.members![i]!.texts);
    });
    const content = crossParityContent(opts.runId, members.map((d) => ({ patientId: d.patientId!, digest: d.digest, container: d.container })));
    expect(toHex(content)).toBe(v.content_hex);
    const x = encodeDocument('X', null, content, opts);
    expect([toHex(x.digest), toHex(x.compressed), toHex(x.container), x.dataCount, x.parityCount]).toEqual([v.digest, v.compressed, v.container, v.data_count, v.parity_count]);
    expect(v.texts.slice(0, x.texts.length)).toEqual(x.texts);
  });
  it(`${file}: restores every member, ${v.expect.rebuilt!.join(', ')} from the parity`, () => {
    const r = decodeRecords(v.texts, { publicKey: pub });
    expect(r.failures).toEqual([]);
    expect(r.records.map((x) => x.canonical).sort()).toEqual(v.members!.map((m) => m.canonical).sort());
    expect(r.records.filter((x) => x.rebuiltFrom !== undefined).map((x) => x.patientId)).toEqual(v.expect.rebuilt);
    expect(r.records.every((x) => x.signature === 'valid')).toBe(true);
    // Without the X codes the lost member is gone: the vector holds none of its own codes.
    const withoutX = decodeRecords(v.texts.filter((t) => !t.startsWith('PC1:X:')), { publicKey: pub });
    expect(withoutX.records.map((x) => x.patientId).sort()).toEqual(v.members!.map((m) => m.record.patient.id).filter((id) => !v.expect.rebuilt!.includes(id)).sort());
  });
}

describe('test vectors', () => {
  it('exist', () => expect(files.length).toBeGreaterThanOrEqual(4));

  for (const file of files) {
    const v = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Vector;
    if (v.kind === 'X') { crossParityVector(file, v); continue; }
    const key = createPrivateKey(v.test_only_key.private_pem);
    const pub = createPublicKey(v.test_only_key.public_pem);
    const encryptKey = fromHex(v.test_only_key.encrypt_key_hex);

    it(`${file}: every stage reproduces byte for byte`, () => {
      expect(fingerprintPublicKey(pub)).toBe(v.test_only_key.fingerprint);
      const isManifest = v.kind === 'M';
      const id = v.patient_id !== undefined ? v.patient_id : isManifest ? null : v.record.patient.id;
      const d = encodeDocument(isManifest ? 'M' : 'R', id, v.content_hex ? fromHex(v.content_hex) : isManifest ? v.canonical : canonicalJson(v.record), {
        runId: v.options.run_id, printedAt: v.options.printed_at, capacity: v.options.capacity,
        signingKey: v.options.signed ? key : undefined, encryptKey: v.options.encrypted ? encryptKey : undefined,
      });
      if (v.content_hex) expect(toHex(d.content)).toBe(v.content_hex);
      else expect(Buffer.from(d.content).toString('utf8')).toBe(v.canonical);
      expect(toHex(d.digest)).toBe(v.digest);
      expect(toHex(d.compressed)).toBe(v.compressed);
      expect(toHex(d.signed)).toBe(v.signed);
      expect(d.signature && toHex(d.signature)).toBe(v.signature);
      expect(toHex(d.container)).toBe(v.container);
      expect([d.dataCount, d.parityCount]).toEqual([v.data_count, v.parity_count]);
      // A vector of lost codes holds the encoder's texts without them.
      if (v.expect.reassemble) expect(d.texts.filter((_, i) => !v.expect.missing?.includes(i + 1))).toEqual(v.texts);
    });

    it(`${file}: ${v.expect.reassemble ? 'restores the record' : `is refused with ${v.expect.error}`}`, () => {
      const r = decodeRecords(v.texts, {
        publicKey: v.expect.verify_with_public_pem ? createPublicKey(v.expect.verify_with_public_pem) : pub,
        decryptKey: v.expect.decrypt_with_key_hex ? fromHex(v.expect.decrypt_with_key_hex) : encryptKey,
      });
      if (v.expect.reassemble && v.kind === 'M') {
        expect(r.failures).toEqual([]);
        expect(r.manifests.map((m) => m.canonical)).toEqual([v.canonical]);
      } else if (v.kind === 'M') {
        // A manifest's content is checked when it is read as one (FORMAT §9.2 step 7).
        expect(r.failures).toEqual([]);
        let code: string | undefined;
        try { parseManifest(r.manifests[0]!); } catch (e) { code = (e as { code?: string }).code; }
        expect(code).toBe(v.expect.error);
      } else if (v.expect.reassemble) {
        expect(r.failures).toEqual([]);
        expect(canonicalJson(r.records[0]!.record)).toBe(v.canonical);
      } else {
        expect(r.records).toEqual([]);
        expect(r.failures.map((f) => f.error.code)).toEqual([v.expect.error]);
        if (v.expect.missing) expect((r.failures[0]!.error as unknown as { missing: number[] }).missing).toEqual(v.expect.missing);
        expect(r.rejected.length).toBe(v.expect.rejected ?? 0);
      }
    });
  }
});
