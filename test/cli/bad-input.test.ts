import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runCli } from '../_run-cli.js';
import { createStore } from '../../src/store/open-store.js';
import { writeRecords } from '../../src/store/write-records.js';
import { handmadePatient, withLongHistory } from '../fixtures/handmade-clinic.js';
import type { PatientRecord } from '../../src/record/record.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'bad-input-')); });

function storeWith(name: string, records: PatientRecord[]): string {
  const path = join(dir, name);
  const db = createStore(path);
  writeRecords(db, records);
  db.close();
  return path;
}

/** The error is one line naming the problem, then one line saying what to do; no PDF is left behind. */
async function expectRefused(args: string[], problem: RegExp, out = join(dir, 'out.pdf')): Promise<void> {
  const r = await runCli('print', ...args, '--out', out, '--as-of', '2026-11-25');
  expect(r.code).toBe(2);
  // Progress lines may precede the error; the error itself is the last two lines.
  const lines = r.err.trim().split('\n').filter((l) => !/^print (layout|render): \d+\/\d+ patients$/.test(l));
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^paperchart: /);
  expect(lines[0]).toMatch(problem);
  expect(lines[1]).toMatch(/^→ /);
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(dir).filter((f) => f.includes('.partial'))).toEqual([]);
}

describe('print refuses bad input with a one-line error and no output', () => {
  it('names a store file that does not exist', async () => {
    await expectRefused(['--db', join(dir, 'nope.sqlite')], /records store not found: .*nope\.sqlite/);
  });

  it('names a file that is not SQLite', async () => {
    writeFileSync(join(dir, 'notes.txt'), 'hello, this is not a database at all\n');
    await expectRefused(['--db', join(dir, 'notes.txt')], /notes\.txt is not a paperchart records store \(not an SQLite database\)/);
  });

  it('names an SQLite file that is not ours', async () => {
    const db = new Database(join(dir, 'other.sqlite'));
    db.exec('CREATE TABLE t (x)');
    db.close();
    await expectRefused(['--db', join(dir, 'other.sqlite')], /other\.sqlite is not a paperchart records store \(no paperchart schema/);
  });

  it('names a store of another schema version', async () => {
    const path = storeWith('future.sqlite', [handmadePatient(1)]);
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    await expectRefused(['--db', path], /future\.sqlite has schema version 99, this paperchart reads version 3/);
  });

  it('refuses a store with no patients', async () => {
    await expectRefused(['--db', storeWith('empty.sqlite', [])], /empty\.sqlite holds no patients/);
  });

  it('names the patient and field of an impossible date', async () => {
    const path = storeWith('baddate.sqlite', [handmadePatient(1), handmadePatient(2, { birth_date: '1980-02-30' })]);
    await expectRefused(['--db', path], /patient H0002: birth_date="1980-02-30" is not a valid value/);
  });

  it('refuses a birth date after the data was taken', async () => {
    const path = storeWith('unborn.sqlite', [handmadePatient(3, { birth_date: '2030-01-01' })]);
    await expectRefused(['--db', path], /patient H0003: birth_date="2030-01-01"/);
  });

  it('names an output path that cannot be written', async () => {
    const path = storeWith('ok.sqlite', [handmadePatient(1)]);
    await expectRefused(['--db', path], /cannot write .*no-such-folder\/b\.pdf \(its folder does not exist\)/, join(dir, 'no-such-folder', 'b.pdf'));
  });

  it('names an unknown template', async () => {
    const path = storeWith('ok2.sqlite', [handmadePatient(1)]);
    await expectRefused(['--db', path, '--template', 'klingon'], /template klingon: no such template/);
  });

  it('refuses, naming the patient, a record larger than the cap on codes', async () => {
    const path = storeWith('big.sqlite', [handmadePatient(1), withLongHistory(handmadePatient(2), 80)]);
    await expectRefused(['--db', path, '--max-codes', '3'], /patient H0002: record needs \d+ codes, the cap is 3/);
  });

  it('prints a patient with every optional field missing', async () => {
    const bare = handmadePatient(4, {
      preferred_name: null, language: null, address_line: null, city: null, region: null, postal_code: null, country: null,
      phone: null, email: null, primary_provider: null, pharmacy_name: null, pharmacy_phone: null, pharmacy_address: null,
      code_status: null, advance_directive: null, allergy_status: 'unknown',
    });
    const empty = { ...bare, alerts: [], allergies: [], medications: [], problems: [], contacts: [], coverages: [],
      immunizations: [], observations: [], procedures: [], encounters: [], appointments: [] };
    const path = storeWith('bare.sqlite', [empty]);
    const out = join(dir, 'bare.pdf');
    const r = await runCli('print', '--db', path, '--out', out, '--as-of', '2026-11-25');
    expect(r.err).not.toMatch(/→/);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/printed 1 patient, \d+ pages in [\d.]+ s → .*bare\.pdf/);
    expect(existsSync(out)).toBe(true);
  });
});

describe('the command line', () => {
  it('answers a bad --as-of with a usage error', async () => {
    const r = await runCli('print', '--db', 'x', '--out', 'y', '--as-of', 'yesterday');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--as-of=yesterday is not a date/);
  });

  it('answers an unknown command with a usage error', async () => {
    const r = await runCli('frobnicate');
    expect(r.code).toBe(1);
  });
});

describe('migrate', () => {
  it('leaves a current store as it is and says so', async () => {
    const path = storeWith('current.sqlite', [handmadePatient(1)]);
    const r = await runCli('migrate', '--db', path);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/current\.sqlite is already at schema version 3/);
  });

  it('refuses a store newer than this paperchart', async () => {
    const path = storeWith('newer.sqlite', [handmadePatient(1)]);
    const db = new Database(path);
    db.pragma('user_version = 4');
    db.close();
    const r = await runCli('migrate', '--db', path);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/schema version 4, this paperchart reads version 3\n→ install a newer paperchart/);
  });
});
