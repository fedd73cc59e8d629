// Crafted code texts restored with --trust-unsigned: no name from a record reaches SQL, a record not of the
// schema's exact shape is refused by itself with its reason, and every good record beside it is restored.
import { describe, it, expect, beforeAll } from 'vitest';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { runCli } from '../_run-cli.js';
import { handmadePatient, writeHandmadeClinic } from '../fixtures/handmade-clinic.js';
import { encodeDocument, encodeRecord } from '../../src/codec/record-codec.js';
import { canonicalJson } from '../../src/record/canonical-json.js';
import { CHILD_TABLES, RECORD_COLUMNS, type PatientRecord } from '../../src/record/record.js';
import { createStore, openStore } from '../../src/store/open-store.js';
import { RecordReader } from '../../src/store/read-records.js';

let dir: string;
let clinic: string;
let n = 0;
const ORIGINAL_IDS = ['H0000', 'H0001', 'H0002', 'H0003', 'H0004', 'H0005'];
const FORGED = { runId: 'FORGE1', printedAt: '2026-12-01T00:00:00Z' };
const good = handmadePatient(101);

/** Code texts of any JSON value, as a forger with the codec in hand would make them. */
const forge = (patientId: string, canonical: string): string[] => encodeDocument('R', patientId, canonical, FORGED).texts;
/** A record with every table empty: the smallest one restore would take. */
const bare = (id: string): Record<string, unknown> => ({ patient: { id }, ...Object.fromEntries(CHILD_TABLES.map((t) => [t, []])) });

/** Each patient's record as the store holds it, by id. */
function storeRecords(path: string): Map<string, string> {
  const db = openStore(path);
  try {
    const ids = (db.prepare('SELECT id FROM patients ORDER BY id').all() as { id: string }[]).map((r) => r.id);
    const reader = new RecordReader(db);
    return new Map(ids.map((id) => [id, canonicalJson(reader.read(id))]));
  } finally { db.close(); }
}

async function restore(store: string, texts: string[], ...options: string[]): Promise<{ code: number; out: string; err: string }> {
  const file = join(dir, `codes-${++n}.txt`);
  writeFileSync(file, texts.join('\n'));
  return runCli('restore', '--db', store, '--trust-unsigned', ...options, file);
}

function copyOfClinic(): string {
  const copy = join(dir, `clinic-${++n}.sqlite`);
  copyFileSync(clinic, copy);
  return copy;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'forged-'));
  clinic = join(dir, 'clinic.sqlite');
  writeHandmadeClinic(clinic, ORIGINAL_IDS.length, false);
});

/** A record made from a good one by a change, as canonical JSON (booleans and fractions spliced in as text). */
function changed(id: string, change: (r: Record<string, any>) => void): string {
  const r = structuredClone(handmadePatient(200)) as unknown as Record<string, any>;
  const retarget = (row: Record<string, unknown>): void => { if ('patient_id' in row) row.patient_id = id; };
  r.patient.id = id;
  for (const t of CHILD_TABLES) (r[t] as Record<string, unknown>[]).forEach(retarget);
  change(r);
  return canonicalJson(r).replace('"<true>"', 'true').replace('"<1.5>"', '1.5');
}

const CASES: [name: string, id: string, canonical: () => string, reason: RegExp][] = [
  // Against the old insert, which took its column list from the record's keys, this renamed every patient.
  ['a key carrying SQL that renames every patient', 'H0100', () => canonicalJson({ ...bare('H0100'), patient: { id: 'H0100',
    "mrn, family_name, given_names, birth_date, sex, updated_at) SELECT id, mrn, family_name, given_names, birth_date, sex, updated_at FROM patients WHERE true ON CONFLICT(id) DO UPDATE SET family_name = 'x' --": 'x' } }),
  /field the schema lacks: "mrn, family_name, given_names/],
  // ... and this erased every allergy status.
  ['a key carrying SQL that erases every allergy status', 'H0100', () => canonicalJson({ ...bare('H0100'), patient: { id: 'H0100',
    "mrn, family_name, given_names, birth_date, sex, updated_at) SELECT id, mrn, family_name, given_names, birth_date, sex, updated_at FROM patients WHERE true ON CONFLICT(id) DO UPDATE SET allergy_status = 'unknown' --": 'x' } }),
  /field the schema lacks/],
  ['an extra field', 'H0100', () => changed('H0100', (r) => { r.patient.nickname = 'Al'; }), /patient has a field the schema lacks: "nickname"/],
  ['a table the schema lacks', 'H0100', () => changed('H0100', (r) => { r.audit_log = []; }), /has a table the schema lacks: "audit_log"/],
  ['a missing table', 'H0100', () => changed('H0100', (r) => { delete r.procedures; }), /lacks the table procedures/],
  ['a missing field', 'H0100', () => changed('H0100', (r) => { delete r.medications[0].status; }), /medications\[0\] lacks the field status/],
  ['a null row', 'H0100', () => changed('H0100', (r) => { r.medications.push(null); }), /medications\[1\] is null, expected an object/],
  ['a table that is not an array', 'H0100', () => changed('H0100', (r) => { r.allergies = { 0: r.allergies[0] ?? {} }; }), /allergies is an object, expected an array/],
  ['a number where text belongs', 'H0100', () => changed('H0100', (r) => { r.patient.birth_date = 19900101; }), /patient\.birth_date is an integer, expected text/],
  ['a boolean where an integer belongs', 'H0100', () => changed('H0100', (r) => { r.contacts[0].is_emergency = '<true>'; }), /contacts\[0\]\.is_emergency is a boolean, expected an integer/],
  ['a fraction where an integer belongs', 'H0100', () => changed('H0100', (r) => { r.medications[0].refills_remaining = '<1.5>'; }), /refills_remaining is a non-integer number/],
  ['null in a required field', 'H0100', () => changed('H0100', (r) => { r.patient.family_name = null; }), /patient\.family_name is null, expected a value/],
  ['a value outside an enumeration', 'H0100', () => changed('H0100', (r) => { r.patient.allergy_status = 'maybe'; }), /allergy_status is not one of unknown, none, listed/],
  ['a row of another patient', 'H0100', () => changed('H0100', (r) => { r.allergies.push({ ...r.medications[0], patient_id: 'H0000' }); }), /allergies\[0\]|names another patient/],
  ['a child row naming a patient in the store', 'H0100', () => changed('H0100', (r) => { r.alerts = [{ id: 'X-1', patient_id: 'H0001', text: 'Fall risk', severity: 'info', updated_at: '2026-11-20T10:00:00Z' }]; }),
    /alerts\[0\]\.patient_id names another patient/],
  ['an MRN another patient has (only the store can tell)', 'H0100', () => changed('H0100', (r) => { r.patient.mrn = '9000001'; }), /the store refused the record \(UNIQUE constraint failed: patients\.mrn\)/],
];

describe('restore of crafted unsigned codes', () => {
  it.each(CASES)('refuses %s by itself, restores the good record beside it, and leaves the store as it was', async (_name, id, canonical, reason) => {
    const store = copyOfClinic();
    const before = storeRecords(store);
    const texts = [...forge(id, canonical()), ...encodeRecord(good, FORGED)];
    const r = await restore(store, texts);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.code).toBe(3);
    const line = r.out.split('\n').find((l) => l.includes(` ${id} `)) ?? '';
    expect(line).toMatch(/^refused /);
    expect(line).toMatch(reason);
    expect(r.out).toMatch(/^restored +H0101 /m);
    expect(r.out).toMatch(/restore: 1 restored, 0 already current, 0 kept newer, 0 incomplete, 1 refused, 0 missing/);
    const after = storeRecords(store);
    expect([...after.keys()]).toEqual([...ORIGINAL_IDS, 'H0101']);
    for (const original of ORIGINAL_IDS) expect(after.get(original)).toBe(before.get(original));
    expect(after.get('H0101')).toBe(canonicalJson(good));
  });

  it('restores every good record into a new store when crafted ones are among them', async () => {
    const store = join(dir, `new-${++n}.sqlite`);
    const texts = [...CASES.slice(2, 6).flatMap(([, , canonical], i) => forge(`H01${10 + i}`, canonical().replaceAll('H0100', `H01${10 + i}`))),
      ...encodeRecord(good, FORGED), ...encodeRecord(handmadePatient(102), FORGED)];
    const r = await restore(store, texts);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/restore: 2 restored, 0 already current, 0 kept newer, 0 incomplete, 4 refused, 0 missing/);
    expect([...storeRecords(store).keys()]).toEqual(['H0101', 'H0102']);
  });

  it('writes with column lists that are exactly the schema\'s', () => {
    const db = createStore(join(dir, `schema-${++n}.sqlite`));
    try {
      for (const [table, columns] of Object.entries(RECORD_COLUMNS)) {
        const info = db.prepare(`SELECT name, type, "notnull" FROM pragma_table_info(?) ORDER BY cid`).all(table) as { name: string; type: string; notnull: number }[];
        expect(info.map((c) => c.name).sort()).toEqual(Object.keys(columns).sort());
        for (const c of info) {
          const t = (columns as Record<string, { type: string; nullable: boolean }>)[c.name]!;
          expect([c.name, t.type.toUpperCase(), t.nullable]).toEqual([c.name, c.type, c.notnull === 0 && c.name !== 'id']);
        }
      }
    } finally { db.close(); }
  });
});

describe('restore with both --pubkey and --trust-unsigned', () => {
  let signingKey: KeyObject;
  let pub: string;
  const SIGNED = { runId: 'SIGNED1', printedAt: '2026-11-25T15:00:00Z' };
  /** A forgery of H0001: renamed, changed "later", printed "later", unsigned. */
  const forgery = (): PatientRecord => {
    const r = structuredClone(handmadePatient(1));
    r.patient.family_name = 'Forged';
    r.patient.updated_at = '2026-12-05T00:00:00Z';
    return r;
  };

  beforeAll(() => {
    const pair = generateKeyPairSync('ed25519');
    signingKey = pair.privateKey;
    pub = join(dir, 'clinic.pub');
    writeFileSync(pub, pair.publicKey.export({ format: 'pem', type: 'spki' }).toString());
  });

  it('takes the signed record over a later unsigned one, and says so', async () => {
    const store = join(dir, `new-${++n}.sqlite`);
    const texts = [...encodeRecord(handmadePatient(1), { ...SIGNED, signingKey }), ...encodeRecord(forgery(), FORGED)];
    const r = await restore(store, texts, '--pubkey', pub);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^restored +H0001 +from run SIGNED1, signature valid; a later record of run FORGE1 \(signature absent\) was not used/m);
    expect(storeRecords(store).get('H0001')).toBe(canonicalJson(handmadePatient(1)));
  });

  it('never lets an unsigned record replace a store record under keep, but fills in an absent patient', async () => {
    const store = copyOfClinic();
    const before = storeRecords(store);
    const r = await restore(store, [...encodeRecord(forgery(), FORGED), ...encodeRecord(good, FORGED)], '--pubkey', pub);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^kept-unsigned +H0001 .*not signed \(signature absent\)/m);
    expect(r.out).toMatch(/^restored +H0101 /m);
    expect(r.out).toMatch(/restore: 1 restored, 0 already current, 0 kept newer, 1 kept over unsigned paper, 0 incomplete/);
    expect(storeRecords(store).get('H0001')).toBe(before.get('H0001'));
    // Asked for in so many words, the paper replaces the store's record.
    const replaced = await restore(store, encodeRecord(forgery(), FORGED), '--on-conflict', 'replace');
    expect(replaced.code).toBe(0);
    expect(storeRecords(store).get('H0001')).toBe(canonicalJson(forgery()));
  });
});
