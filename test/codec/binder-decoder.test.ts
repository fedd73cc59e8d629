// templates/decoder/decode.py, the decoder every binder carries: from code texts to the clinic, byte for byte as `export`.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSampleClinic } from '../../src/sample/sample-clinic.js';
import { openStore } from '../../src/store/open-store.js';
import { readMeta, RecordReader } from '../../src/store/read-records.js';
import { canonicalJson } from '../../src/record/canonical-json.js';
import { encodeDocument, type EncodeOptions } from '../../src/codec/record-codec.js';
import { encodeManifest, type ManifestEntry } from '../../src/codec/manifest.js';
import { runCli } from '../_run-cli.js';
import { decodeRecords, DECODER_CODE_PREFIX } from '../../src/codec/record-codec.js';
import { decoderCodeTexts, decoderProgram, DECODER_PREFIX, listingRows } from '../../src/layout/decoder-pages.js';
import { TEST_ENCRYPT_KEY, testPublicKey, testSigningKey } from './_test-key.js';
import { createStore } from '../../src/store/open-store.js';
import { writeMeta, writeRecords } from '../../src/store/write-records.js';
import { handmadePatient } from '../fixtures/handmade-clinic.js';
import { withPatientId } from '../fixtures/renamed-patient.js';

const DECODER = fileURLToPath(new URL('../../templates/decoder/decode.py', import.meta.url));
const which = (tool: string): string | null => {
  const r = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
};
const python = which('python3');
/** The interpreter itself, not a shim (pyenv's python3 is a bash script), for a PATH that holds nothing else. */
const pythonBinary = python && spawnSync(python, ['-c', 'import os,sys;print(os.path.realpath(sys.executable))'], { encoding: 'utf8' }).stdout.trim();
const openssl = which('openssl');
const hasCryptography = python !== null && spawnSync('python3', ['-c', 'import cryptography']).status === 0;
if (!python) console.warn('python3 not found: skipping the binder decoder tests (install python3 to run them)');
if (!openssl) console.warn('openssl not found: the binder decoder\'s signature checks are not tested');

const RUN = '20261125150000', AT = '2026-11-25T15:00:00Z';

interface Clinic { expected: string; records: { id: string; canonical: string }[]; meta: Record<string, string> }

/** Each patient's codes, and the run's manifest codes, as print makes them. */
function encodeClinic(c: Clinic, opts: Omit<EncodeOptions, 'runId' | 'printedAt'>, capacity?: number): { perPatient: string[][]; manifest: string[] } {
  const o = { runId: RUN, printedAt: AT, ...opts, ...(capacity ? { capacity, maxCodes: 100_000 } : {}) };
  const docs = c.records.map((r) => encodeDocument('R', r.id, r.canonical, o));
  const entries: ManifestEntry[] = c.records.map((r, i) => ({ id: r.id, digest: Buffer.from(docs[i]!.digest).toString('hex'), codes: docs[i]!.texts.length, pages: [10 + 2 * i, 11 + 2 * i] }));
  return { perPatient: docs.map((d) => d.texts), manifest: encodeManifest({ runId: RUN, printedAt: AT, clinic: c.meta }, entries, opts).texts };
}

function decode(lines: string[], args: string[] = [], env?: NodeJS.ProcessEnv): { status: number | null; out: string; err: string } {
  const dir = mkdtempSync(join(tmpdir(), 'decoder-'));
  writeFileSync(join(dir, 'codes.txt'), `${lines.join('\n')}\n`);
  const r = spawnSync(pythonBinary || 'python3', [DECODER, join(dir, 'codes.txt'), ...args], { encoding: 'utf8', cwd: dir, ...(env ? { env } : {}) });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

function shuffle<T>(xs: T[], seed = 7): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) { seed = (seed * 1103515245 + 12345) % 2 ** 31; const j = seed % (i + 1); [out[i], out[j]] = [out[j]!, out[i]!]; }
  return out;
}

describe('the decoder\'s listing (FORMAT §15)', () => {
  it('is printable ASCII, so that Courier prints every character, with no tab and no space at a line\'s end', () => {
    const p = decoderProgram();
    expect(Buffer.from(p.bytes).toString('latin1')).toMatch(/^[\x20-\x7e\n]*\n$/);
    expect(p.lines.filter((l) => l.endsWith(' '))).toEqual([]);
  });

  for (const columns of [112, 107]) {
    it(`fits ${columns} columns (${columns === 112 ? 'Letter' : 'A4'}); long lines go on after '+', cut inside a word, and join back`, () => {
      const { lines } = decoderProgram();
      const rows = listingRows(lines, columns);
      expect(Math.max(...rows.map((r) => r.length))).toBeLessThanOrEqual(columns);
      const joined: string[] = [];
      for (const row of rows) {
        const more = /^ {3} \+ {4}(\S.*)$/.exec(row);
        if (more) joined[joined.length - 1] += more[1]!;
        else joined.push(/^ *\d+ [0-9A-F]{4} (.*)$/.exec(row)![1]!);
      }
      expect(joined).toEqual(lines);
      expect(rows.length).toBeGreaterThan(lines.length);
    });
  }
});

describe.skipIf(!python)('the binder\'s decoder (templates/decoder/decode.py)', () => {
  let clinic: Clinic;
  let dir: string;
  let pubPem: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'binder-decoder-'));
    const store = join(dir, 'clinic.sqlite');
    await writeSampleClinic(store, { patients: 6, seed: 11, asOf: '2026-11-25T16:00:00Z' });
    const db = openStore(store);
    const reader = new RecordReader(db);
    const ids = (db.prepare('SELECT id FROM patients ORDER BY id').all() as { id: string }[]).map((r) => r.id);
    clinic = { expected: '', records: ids.map((id) => ({ id, canonical: canonicalJson(reader.read(id)) })), meta: readMeta(db) };
    db.close();
    clinic.expected = (await runCli('export', '--db', store)).out;
    pubPem = testPublicKey().export({ format: 'pem', type: 'spki' }).toString();
    writeFileSync(join(dir, 'test.pub'), pubPem);
    writeFileSync(join(dir, 'record.key'), `${Buffer.from(TEST_ENCRYPT_KEY).toString('hex')}\n`);
  });

  it.skipIf(!openssl)('gives `export` byte for byte from shuffled codes with one per patient lost, repeats and junk lines, signatures checked', () => {
    const { perPatient, manifest } = encodeClinic(clinic, { signingKey: testSigningKey() });
    const texts = perPatient.flatMap((t, i) => t.filter((_, j) => j !== i % t.length));
    const lines = shuffle([...texts, ...manifest, ...texts.slice(0, 3), 'http://example.com/', 'PC1:R:GARBAGE', '', 'PCDEC 01/02 ABC']);
    const r = decode(lines, ['--pubkey', join(dir, 'test.pub')]);
    expect(r.out).toBe(clinic.expected);
    expect(r.status, r.err).toBe(0);
    expect(r.err).toMatch(/restored 6 patients \(signature: valid 6\); 2 unreadable lines; 0 problems/);
  });

  it('takes the public key as the cover prints it (60 characters), and says so when no openssl can check it', () => {
    const { perPatient, manifest } = encodeClinic(clinic, { signingKey: testSigningKey() });
    const printed = pubPem.split('\n')[1]!;
    expect(printed).toHaveLength(60);
    const bin = join(dir, 'bin-python-only');
    mkdirSync(bin, { recursive: true });
    try { symlinkSync(pythonBinary!, join(bin, 'python3')); } catch { /* made by an earlier run */ }
    const r = decode([...perPatient.flat(), ...manifest], ['--pubkey', printed], { PATH: bin });
    expect(r.err).toMatch(/signatures NOT checked \(openssl not found\)/);
    expect(r.out).toBe(clinic.expected);
  });

  it.skipIf(!openssl)('refuses records whose signature does not verify, naming them, and writes the rest', () => {
    const { perPatient, manifest } = encodeClinic(clinic, { signingKey: testSigningKey() });
    const forged = encodeClinic(clinic, { signingKey: generateKeyPairSync('ed25519').privateKey }).perPatient[0]!;
    const r = decode([...forged, ...perPatient.slice(1).flat(), ...manifest], ['--pubkey', join(dir, 'test.pub')]);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/patient P000001: E_BAD_SIGNATURE/);
    expect(r.err).toMatch(/missing: patient P000001 of run 20261125150000; rescan binder pages 10, 11\n/);
    expect((JSON.parse(r.out) as { patients: { patient: { id: string } }[] }).patients.map((p) => p.patient.id)).toEqual(clinic.records.slice(1).map((x) => x.id));
  });

  it('names the volume to rescan for a patient of a binder in volumes whose codes were all lost, and no volume for a one-volume binder', () => {
    const o = { runId: RUN, printedAt: AT };
    const docs = clinic.records.map((r) => encodeDocument('R', r.id, r.canonical, o));
    const entry = (i: number, volume?: number): ManifestEntry => ({ id: clinic.records[i]!.id, digest: Buffer.from(docs[i]!.digest).toString('hex'),
      codes: docs[i]!.texts.length, pages: [4 + 2 * i, 5 + 2 * i], ...(volume ? { volume } : {}) });
    const lost = docs.slice(1).flatMap((d) => d.texts);
    // Patients 1-3 in volume 1, the rest in volume 2: pages count from each volume's first.
    const inVolumes = encodeManifest({ runId: RUN, printedAt: AT, clinic: clinic.meta }, clinic.records.map((_, i) => entry(i, i < 3 ? 1 : 2)), {}).texts;
    const r = decode([...lost, ...inVolumes]);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(new RegExp(`missing: patient ${clinic.records[0]!.id} of run ${RUN}; rescan volume 1, binder pages 4, 5\n`));
    const oneVolume = encodeManifest({ runId: RUN, printedAt: AT, clinic: clinic.meta }, clinic.records.map((_, i) => entry(i)), {}).texts;
    expect(decode([...lost, ...oneVolume]).err).toMatch(new RegExp(`missing: patient ${clinic.records[0]!.id} of run ${RUN}; rescan binder pages 4, 5\n`));
  });

  it('decrypts an encrypted binder with the record key, or says what it needs', () => {
    const { perPatient, manifest } = encodeClinic(clinic, { signingKey: testSigningKey(), encryptKey: TEST_ENCRYPT_KEY });
    const lines = [...perPatient.flat(), ...manifest];
    const without = decode(lines);
    expect(without.status).toBe(1);
    expect(without.err).toMatch(/encrypted: add --record-key FILE/);
    const r = decode(lines, ['--record-key', join(dir, 'record.key')]);
    if (hasCryptography) {
      expect(r.out).toBe(clinic.expected);
      expect(r.err).toMatch(/signatures NOT checked \(no --pubkey given\)/);
      const wrong = join(dir, 'wrong.key');
      writeFileSync(wrong, `${createHash('sha256').update('x').digest('hex')}\n`);
      expect(decode(lines, ['--record-key', wrong]).err).toMatch(/E_DECRYPT/);
    } else {
      expect(r.err).toMatch(/decrypting needs Python's `cryptography` package/);
    }
  });

  it('rebuilds two lost codes in each of several parity groups (a record of more than 128 data codes)', () => {
    const { perPatient, manifest } = encodeClinic(clinic, {}, 100);
    const big = perPatient[0]!;
    const k = Number(big[0]!.split(':')[6]);
    expect(k).toBeGreaterThan(128);
    // Codes 1-4: consecutive data shards fall in groups 0, 1, 0, 1, two lost in each.
    const r = decode([...big.slice(4), ...perPatient.slice(1).flat(), ...manifest]);
    expect(r.out).toBe(clinic.expected);
    expect(r.err).toMatch(/signature: absent 6/);
    const r5 = decode([...big.slice(5), ...perPatient.slice(1).flat(), ...manifest]);
    expect(r5.status).toBe(1);
    expect(r5.err).toMatch(/E_MISSING_CODES: codes 1, 2, 3, 4, 5 missing/);
  });

  it('lists patients in export\'s id order, by code point, where UTF-16 code units would order them otherwise (FORMAT §5.4)', async () => {
    const store = join(dir, 'id-order.sqlite');
    const db = createStore(store);
    writeMeta(db, { clinic_name: 'Id Order Clinic', timezone: 'UTC' });
    writeRecords(db, ['H\u{20000}', 'H\uFF21', 'H0001'].map((id, i) => withPatientId(handmadePatient(i), id)));
    const reader = new RecordReader(db);
    const records = ['H0001', 'H\uFF21', 'H\u{20000}'].map((id) => ({ id, canonical: canonicalJson(reader.read(id)) }));
    const meta = readMeta(db);
    db.close();
    const expected = (await runCli('export', '--db', store)).out;
    expect(expected.indexOf('"id":"H\uFF21"')).toBeLessThan(expected.indexOf('"id":"H\u{20000}"'));
    const { perPatient, manifest } = encodeClinic({ expected, records, meta }, {});
    const r = decode(shuffle([...perPatient.flat(), ...manifest]));
    expect(r.status, r.err).toBe(0);
    expect(r.out).toBe(expected);
  });

  it('is ignored by restore and by itself where its own codes are mixed with the others', () => {
    const own = decoderCodeTexts(decoderProgram().bytes);
    expect(`${DECODER_PREFIX} `).toBe(DECODER_CODE_PREFIX);
    expect(own.every((t) => t.startsWith(DECODER_CODE_PREFIX))).toBe(true);
    const { perPatient, manifest } = encodeClinic(clinic, {});
    const texts = [...own, ...perPatient.flat(), ...manifest];
    expect(decodeRecords(texts).rejected).toEqual([]);
    expect(decode(texts).err).toMatch(/; 0 unreadable lines;/);
  });
});
