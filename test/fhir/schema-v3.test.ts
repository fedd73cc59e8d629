// Schema version 3: the columns FHIR import needs, optional in a record so version-2 records stay the same bytes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore, migrate, openStoreForMigration } from '../../src/store/open-store.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/schema.js';
import { writeRecords } from '../../src/store/write-records.js';
import { RecordReader } from '../../src/store/read-records.js';
import { canonicalJson } from '../../src/record/canonical-json.js';
import { checkRecordShape } from '../../src/record/validate-record.js';
import { handmadePatient } from '../fixtures/handmade-clinic.js';

const dir = mkdtempSync(join(tmpdir(), 'schema-v3-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('schema version 3', () => {
  it('migrates a version-2 store, keeping every record the same bytes', () => {
    const path = join(dir, 'v2.sqlite');
    // A version-2 store: the records written, then version 3's columns dropped again.
    const v3 = createStore(path);
    const records = [handmadePatient(1), handmadePatient(6)];
    writeRecords(v3, records);
    const before = records.map((r) => canonicalJson(new RecordReader(v3).read(r.patient.id)));
    v3.close();
    const v2 = new Database(path);
    for (const m of MIGRATIONS[2]!.matchAll(/ALTER TABLE (\w+) ADD COLUMN (\w+)/g)) v2.exec(`ALTER TABLE ${m[1]} DROP COLUMN ${m[2]}`);
    v2.pragma('user_version = 2');
    expect(v2.prepare("SELECT count(*) AS n FROM pragma_table_info('patients') WHERE name = 'family_name_latin'").get()).toEqual({ n: 0 });
    v2.close();
    const db = openStoreForMigration(path);
    expect(migrate(db)).toEqual({ from: 2, to: 3 });
    expect(SCHEMA_VERSION).toBe(3);
    const after = records.map((r) => canonicalJson(new RecordReader(db).read(r.patient.id)));
    expect(after).toEqual(before);
    expect(after[0]).not.toContain('family_name_latin');
    db.close();
  });

  it('keeps a Latin alias and codings when present, and reads them back', () => {
    const db = createStore(join(dir, 'alias.sqlite'));
    const r = handmadePatient(6); // 张 伟
    r.patient.family_name_latin = 'Zhang';
    r.patient.given_names_latin = 'Wei';
    r.problems = [{ id: 'Condition/1', patient_id: r.patient.id, description: 'Hypertension', code_system: 'SNOMED CT', code: '38341003',
      alt_code_system: 'ICD-10-CM', alt_code: 'I10', onset_date: null, resolved_date: null, status: 'active', updated_at: r.patient.updated_at }];
    writeRecords(db, [r]);
    const back = new RecordReader(db).read(r.patient.id);
    expect(back.patient.family_name_latin).toBe('Zhang');
    expect(back.patient.given_names_latin).toBe('Wei');
    expect(back.problems[0]).toMatchObject({ code: '38341003', alt_code_system: 'ICD-10-CM', alt_code: 'I10' });
    expect(back.medications[0]).not.toHaveProperty('code');
    checkRecordShape(JSON.parse(canonicalJson(back)), r.patient.id);
    db.close();
  });

  it('accepts a record from paper printed before version 3 (no optional fields)', () => {
    const r = JSON.parse(canonicalJson(handmadePatient(2))) as unknown;
    expect(() => checkRecordShape(r, 'H0002')).not.toThrow();
  });
});
